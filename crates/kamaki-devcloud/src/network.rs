//! Cyclades network service (`/network/v2.0`): networks, subnets, ports, floating IPs.

use std::collections::BTreeSet;
use std::sync::Arc;

use http::Method;
use serde_json::{json, Map, Value};

use crate::state::{
    Counters, FloatingIp, Network, Port, State, Subnet, Transition, PUBLIC_NETWORK, PUBLIC_SUBNET,
};
use crate::util::{self, as_id, empty_response, json_response, Fault, Req, R};
use crate::Cloud;

const NETWORK_TYPES: &[&str] = &["CUSTOM", "MAC_FILTERED", "IP_LESS_ROUTED", "PHYSICAL_VLAN"];
const ENABLED_TYPES: &[&str] = &["CUSTOM", "MAC_FILTERED", "IP_LESS_ROUTED"];

/// Create the public network (id 1) and its subnet 203.0.113.0/24.
pub(crate) fn seed(cloud: &Arc<Cloud>) {
    let now = util::now();
    let mut st = cloud.lock();
    st.networks
        .entry(PUBLIC_NETWORK)
        .or_insert_with(|| Network {
            id: PUBLIC_NETWORK,
            user: None,
            project: None,
            name: "public".into(),
            kind: "IP_LESS_ROUTED".into(),
            public: true,
            floating_ip_pool: true,
            created: now,
            updated: now,
            shared_to_project: false,
        });
    st.subnets.entry(PUBLIC_SUBNET).or_insert_with(|| Subnet {
        id: PUBLIC_SUBNET,
        network: PUBLIC_NETWORK,
        user: None,
        name: "public-v4".into(),
        cidr: "203.0.113.0/24".into(),
        ip_version: 4,
        gateway: Some("203.0.113.1".into()),
        dhcp: true,
        slaac: false,
        pools: vec![("203.0.113.2".into(), "203.0.113.254".into())],
        dns: vec![],
        routes: vec![],
    });
}

// ---------------------------------------------------------------------------
// IPv4 helpers

fn ip4(s: &str) -> Option<u32> {
    let p: Vec<u32> = s
        .split('.')
        .map(|x| x.parse::<u32>().ok().filter(|v| *v < 256))
        .collect::<Option<_>>()?;
    if p.len() != 4 {
        return None;
    }
    Some((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3])
}

fn ip4_str(v: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        v >> 24,
        (v >> 16) & 255,
        (v >> 8) & 255,
        v & 255
    )
}

/// (network address, prefix length) of an IPv4 CIDR.
fn cidr4(c: &str) -> Option<(u32, u32)> {
    let (a, l) = c.split_once('/')?;
    let l: u32 = l.parse().ok().filter(|l| *l <= 32)?;
    let a = ip4(a)?;
    let mask = if l == 0 { 0 } else { u32::MAX << (32 - l) };
    Some((a & mask, l))
}

fn in_cidr(ip: u32, c: (u32, u32)) -> bool {
    let mask = if c.1 == 0 { 0 } else { u32::MAX << (32 - c.1) };
    ip & mask == c.0
}

fn used_ips(st: &State, network: u64) -> BTreeSet<String> {
    let mut used: BTreeSet<String> = st
        .ports
        .values()
        .filter(|p| p.network == network)
        .flat_map(|p| p.fixed_ips.iter().map(|(ip, _)| ip.clone()))
        .collect();
    for f in st.floating_ips.values().filter(|f| f.network == network) {
        used.insert(f.address.clone());
    }
    used
}

/// First free address of an IPv4 subnet's pools.
fn alloc_ip(st: &State, subnet: &Subnet) -> Option<String> {
    let used = used_ips(st, subnet.network);
    for (a, b) in &subnet.pools {
        let (Some(a), Some(b)) = (ip4(a), ip4(b)) else {
            continue;
        };
        for v in a..=b {
            let s = ip4_str(v);
            if !used.contains(&s) && subnet.gateway.as_deref() != Some(s.as_str()) {
                return Some(s);
            }
        }
    }
    None
}

fn v4_subnet(st: &State, network: u64) -> Option<Subnet> {
    st.subnets
        .values()
        .find(|s| s.network == network && s.ip_version == 4)
        .cloned()
}

fn network_visible(n: &Network, user: &str) -> bool {
    n.public || n.user.as_deref() == Some(user)
}

/// Create a port (used by server creation and the ports API).
#[allow(clippy::too_many_arguments)]
pub(crate) fn create_port(
    st: &mut State,
    user: &str,
    network: u64,
    device: Option<u64>,
    fixed_ip: Option<String>,
    name: &str,
    security_groups: Vec<String>,
    now: f64,
    delay: f64,
) -> Result<u64, Fault> {
    let net = st
        .networks
        .get(&network)
        .filter(|n| network_visible(n, user))
        .cloned()
        .ok_or_else(|| Fault::not_found(format!("Network {network} not found")))?;
    let subnet = v4_subnet(st, network);
    let mut fixed_ips = Vec::new();
    match fixed_ip {
        Some(ip) => {
            if ip4(&ip).is_none() {
                return Err(Fault::bad_request(format!("Invalid IPv4 address '{ip}'")));
            }
            if net.public || net.floating_ip_pool {
                let fip = st
                    .floating_ips
                    .values()
                    .find(|f| f.address == ip && f.network == network)
                    .cloned()
                    .ok_or_else(|| {
                        Fault::bad_request(format!(
                            "Floating IP '{ip}' is not reserved on network {network}"
                        ))
                    })?;
                if fip.user != user {
                    return Err(Fault::forbidden("Floating IP belongs to another user"));
                }
                if fip.port.is_some() {
                    return Err(Fault::conflict(format!(
                        "Floating IP '{ip}' is already in use"
                    )));
                }
            } else {
                let sub = subnet
                    .as_ref()
                    .ok_or_else(|| Fault::bad_request("Network has no IPv4 subnet"))?;
                let c = cidr4(&sub.cidr).ok_or_else(|| Fault::internal("bad subnet"))?;
                if !ip4(&ip).is_some_and(|v| in_cidr(v, c)) {
                    return Err(Fault::bad_request(format!(
                        "IP address '{ip}' is not in subnet {}",
                        sub.cidr
                    )));
                }
                if used_ips(st, network).contains(&ip) {
                    return Err(Fault::conflict(format!(
                        "IP address '{ip}' is already in use"
                    )));
                }
            }
            fixed_ips.push((ip, subnet.as_ref().map_or(0, |s| s.id)));
        }
        None => {
            if net.public && device.is_some() && net.id != PUBLIC_NETWORK {
                return Err(Fault::bad_request(
                    "A floating IP is required for public networks",
                ));
            }
            if let Some(sub) = &subnet {
                let ip = alloc_ip(st, sub)
                    .ok_or_else(|| Fault::conflict("No more free addresses in the network"))?;
                fixed_ips.push((ip, sub.id));
            }
        }
    }
    let id = Counters::next(&mut st.counters.port);
    let mac = st.next_mac();
    let (status, transition) = if device.is_some() {
        (
            "BUILD".to_string(),
            Some(Transition {
                at: now + delay,
                status: "ACTIVE".into(),
                task: String::new(),
            }),
        )
    } else {
        ("DOWN".to_string(), None)
    };
    let fip_ip = fixed_ips.first().map(|(ip, _)| ip.clone());
    st.ports.insert(
        id,
        Port {
            id,
            user: user.to_string(),
            network,
            device,
            name: name.to_string(),
            mac,
            status,
            created: now,
            updated: now,
            fixed_ips,
            security_groups,
            firewall: if net.public {
                "DISABLED".into()
            } else {
                String::new()
            },
            transition,
            delete_at: None,
        },
    );
    if let Some(ip) = fip_ip {
        for f in st.floating_ips.values_mut() {
            if f.address == ip && f.network == network {
                f.port = Some(id);
            }
        }
    }
    Ok(id)
}

/// Is this address a floating IP?
pub(crate) fn is_floating(st: &State, ip: &str, network: u64) -> bool {
    st.floating_ips
        .values()
        .any(|f| f.address == ip && f.network == network)
}

// ---------------------------------------------------------------------------
// JSON

fn network_json(cloud: &Cloud, st: &State, n: &Network) -> Value {
    let subnets: Vec<String> = st
        .subnets
        .values()
        .filter(|s| s.network == n.id)
        .map(|s| s.id.to_string())
        .collect();
    json!({
        "id": n.id.to_string(),
        "name": n.name,
        "links": util::links(&format!("{}/network/v2.0", cloud.base), "networks", &n.id.to_string()),
        "user_id": n.user,
        "tenant_id": n.project,
        "shared_to_project": n.shared_to_project,
        "type": n.kind,
        "status": "ACTIVE",
        "created": util::iso(n.created),
        "updated": util::iso(n.updated),
        "public": n.public,
        "shared": n.public,
        "router:external": n.public,
        "admin_state_up": true,
        "subnets": subnets,
        "SNF:floating_ip_pool": n.floating_ip_pool,
        "deleted": false,
    })
}

fn subnet_json(cloud: &Cloud, s: &Subnet) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(s.id.to_string()));
    o.insert("network_id".into(), json!(s.network.to_string()));
    o.insert("name".into(), json!(s.name));
    o.insert("tenant_id".into(), json!(s.user));
    o.insert("user_id".into(), json!(s.user));
    o.insert("public".into(), json!(s.user.is_none()));
    o.insert("ip_version".into(), json!(s.ip_version));
    o.insert("cidr".into(), json!(s.cidr));
    o.insert("gateway_ip".into(), json!(s.gateway));
    o.insert("enable_dhcp".into(), json!(s.dhcp));
    if s.ip_version == 6 {
        o.insert("enable_slaac".into(), json!(s.slaac));
    }
    o.insert("dns_nameservers".into(), json!(s.dns));
    o.insert("host_routes".into(), json!(s.routes));
    o.insert(
        "allocation_pools".into(),
        json!(s
            .pools
            .iter()
            .map(|(a, b)| json!({"start": a, "end": b}))
            .collect::<Vec<_>>()),
    );
    o.insert(
        "links".into(),
        util::links(
            &format!("{}/network/v2.0", cloud.base),
            "subnets",
            &s.id.to_string(),
        ),
    );
    o.insert("deleted".into(), json!(false));
    Value::Object(o)
}

pub(crate) fn port_json(cloud: &Cloud, p: &Port) -> Value {
    json!({
        "id": p.id.to_string(),
        "name": p.name,
        "links": util::links(&format!("{}/network/v2.0", cloud.base), "ports", &p.id.to_string()),
        "user_id": p.user,
        "tenant_id": p.user,
        "device_id": p.device.map(|d| d.to_string()),
        "device_owner": if p.device.is_some() { "vm" } else { "" },
        "admin_state_up": true,
        "mac_address": p.mac,
        "status": p.status,
        "network_id": p.network.to_string(),
        "created": util::iso(p.created),
        "updated": util::iso(p.updated),
        "fixed_ips": p.fixed_ips.iter().map(|(ip, s)| json!({"ip_address": ip, "subnet": s.to_string()})).collect::<Vec<_>>(),
        "security_groups": [],
    })
}

fn fip_json(st: &State, f: &FloatingIp) -> Value {
    let instance = f
        .port
        .and_then(|p| st.ports.get(&p))
        .and_then(|p| p.device)
        .map(|d| d.to_string());
    json!({
        "id": f.id.to_string(),
        "floating_ip_address": f.address,
        "floating_network_id": f.network.to_string(),
        "fixed_ip_address": null,
        "port_id": f.port.map(|p| p.to_string()),
        "instance_id": instance,
        "user_id": f.user,
        "tenant_id": f.project,
        "shared_to_project": f.shared_to_project,
        "deleted": false,
    })
}

fn parse_id(s: &str, what: &str) -> Result<u64, Fault> {
    s.parse()
        .map_err(|_| Fault::not_found(format!("{what} {s} not found")))
}

fn body_obj(body: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, Fault> {
    match body.get(key) {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(Fault::bad_request(format!(
            "Malformed request: missing '{key}'"
        ))),
    }
}

pub(crate) async fn handle(cloud: &Arc<Cloud>, mut req: Req) -> R {
    let user = cloud.auth(&req)?.uuid;
    let segs: Vec<String> = req.segs.clone();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let now = util::now();
    let delay = cloud.delay();
    match (req.method.clone(), segs.as_slice()) {
        // networks
        (Method::GET, ["networks"]) | (Method::GET, ["networks", "detail"]) => {
            let st = cloud.lock();
            let list: Vec<Value> = st
                .networks
                .values()
                .filter(|n| network_visible(n, &user))
                .map(|n| network_json(cloud, &st, n))
                .collect();
            json_response(200, &json!({"networks": list}))
        }
        (Method::POST, ["networks"]) => {
            let body = req.json().await?;
            if body.contains_key("networks") {
                return Err(Fault::bad_request("Bulk network creation is not supported"));
            }
            let n = body_obj(&body, "network")?;
            let kind = n
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Missing network type"))?;
            if !NETWORK_TYPES.contains(&kind) {
                return Err(Fault::bad_request(format!("Invalid network type '{kind}'")));
            }
            if !ENABLED_TYPES.contains(&kind) {
                return Err(Fault::forbidden(format!(
                    "Cannot create network of type '{kind}'"
                )));
            }
            let name = n
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mut st = cloud.lock();
            let project = n
                .get("project")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| st.default_project(&user));
            let id = Counters::next(&mut st.counters.network);
            let net = Network {
                id,
                user: Some(user.clone()),
                project: Some(project),
                name,
                kind: kind.to_string(),
                public: false,
                floating_ip_pool: false,
                created: now,
                updated: now,
                shared_to_project: n
                    .get("shared_to_project")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            };
            st.networks.insert(id, net.clone());
            json_response(201, &json!({"network": network_json(cloud, &st, &net)}))
        }
        (method, ["networks", id]) => {
            let id = parse_id(id, "Network")?;
            match method {
                Method::GET => {
                    let st = cloud.lock();
                    let n = st
                        .networks
                        .get(&id)
                        .filter(|n| network_visible(n, &user))
                        .ok_or_else(|| Fault::not_found(format!("Network {id} not found")))?;
                    json_response(200, &json!({"network": network_json(cloud, &st, n)}))
                }
                Method::PUT => {
                    let body = req.json().await?;
                    let n = body_obj(&body, "network")?;
                    let name = n.get("name").and_then(Value::as_str).ok_or_else(|| {
                        Fault::bad_request("Only the network name can be updated")
                    })?;
                    let mut st = cloud.lock();
                    let net = st
                        .networks
                        .get_mut(&id)
                        .filter(|n| network_visible(n, &user))
                        .ok_or_else(|| Fault::not_found(format!("Network {id} not found")))?;
                    if net.user.as_deref() != Some(user.as_str()) {
                        return Err(Fault::forbidden("Cannot modify a public network"));
                    }
                    net.name = name.to_string();
                    net.updated = now;
                    let net = net.clone();
                    json_response(200, &json!({"network": network_json(cloud, &st, &net)}))
                }
                Method::DELETE => {
                    let mut st = cloud.lock();
                    let net = st
                        .networks
                        .get(&id)
                        .filter(|n| network_visible(n, &user))
                        .ok_or_else(|| Fault::not_found(format!("Network {id} not found")))?;
                    if net.user.as_deref() != Some(user.as_str()) {
                        return Err(Fault::forbidden("Cannot delete a public network"));
                    }
                    if st.ports.values().any(|p| p.network == id)
                        || st.floating_ips.values().any(|f| f.network == id)
                    {
                        return Err(Fault::conflict("The network is in use"));
                    }
                    st.networks.remove(&id);
                    st.subnets.retain(|_, s| s.network != id);
                    empty_response(204)
                }
                _ => Err(Fault::not_allowed("GET, PUT, DELETE")),
            }
        }
        (Method::POST, ["networks", id, "action"]) => {
            let id = parse_id(id, "Network")?;
            let body = req.json().await?;
            let r = body_obj(&body, "reassign")?;
            let project = r
                .get("project")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Missing project"))?;
            let mut st = cloud.lock();
            let net = st
                .networks
                .get_mut(&id)
                .filter(|n| n.user.as_deref() == Some(user.as_str()))
                .ok_or_else(|| Fault::not_found(format!("Network {id} not found")))?;
            net.project = Some(project.to_string());
            if let Some(s) = r.get("shared_to_project").and_then(Value::as_bool) {
                net.shared_to_project = s;
            }
            empty_response(200)
        }
        // subnets
        (Method::GET, ["subnets"]) | (Method::GET, ["subnets", "detail"]) => {
            let st = cloud.lock();
            let list: Vec<Value> = st
                .subnets
                .values()
                .filter(|s| {
                    st.networks
                        .get(&s.network)
                        .is_some_and(|n| network_visible(n, &user))
                })
                .map(|s| subnet_json(cloud, s))
                .collect();
            json_response(200, &json!({"subnets": list}))
        }
        (Method::POST, ["subnets"]) => {
            let body = req.json().await?;
            if body.contains_key("subnets") {
                return Err(Fault::bad_request("Bulk subnet creation is not supported"));
            }
            let s = body_obj(&body, "subnet")?;
            let net_id = s
                .get("network_id")
                .and_then(as_id)
                .ok_or_else(|| Fault::bad_request("Missing or invalid network_id"))?;
            let cidr = s
                .get("cidr")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Missing cidr"))?
                .to_string();
            let ip_version = s.get("ip_version").and_then(Value::as_u64).unwrap_or(4) as u8;
            if ip_version != 4 && ip_version != 6 {
                return Err(Fault::bad_request("Invalid ip_version"));
            }
            let dhcp = match s.get("enable_dhcp") {
                None => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(Fault::bad_request("enable_dhcp must be a boolean")),
            };
            let mut st = cloud.lock();
            let net = st
                .networks
                .get(&net_id)
                .filter(|n| network_visible(n, &user))
                .ok_or_else(|| Fault::not_found(format!("Network {net_id} not found")))?;
            if net.user.as_deref() != Some(user.as_str()) {
                return Err(Fault::forbidden("Cannot add a subnet to this network"));
            }
            if st
                .subnets
                .values()
                .any(|x| x.network == net_id && x.ip_version == ip_version)
            {
                return Err(Fault::conflict(format!(
                    "Network already has an IPv{ip_version} subnet"
                )));
            }
            let (gateway, pools) = if ip_version == 4 {
                let (base, len) = cidr4(&cidr)
                    .ok_or_else(|| Fault::bad_request(format!("Invalid cidr '{cidr}'")))?;
                if len > 29 {
                    return Err(Fault::bad_request("Subnet is too small"));
                }
                let bcast = base | (u32::MAX >> len);
                let gateway = match s.get("gateway_ip") {
                    None => Some(ip4_str(base + 1)),
                    Some(Value::Null) => None,
                    Some(Value::String(g)) if g.is_empty() => None,
                    Some(Value::String(g)) => {
                        let v = ip4(g).ok_or_else(|| Fault::bad_request("Invalid gateway_ip"))?;
                        if !in_cidr(v, (base, len)) {
                            return Err(Fault::bad_request("Gateway is not in the subnet"));
                        }
                        Some(g.clone())
                    }
                    Some(_) => return Err(Fault::bad_request("Invalid gateway_ip")),
                };
                let pools = match s.get("allocation_pools") {
                    Some(Value::Array(list)) => {
                        let mut pools = Vec::new();
                        for p in list {
                            let a = p.get("start").and_then(Value::as_str).and_then(ip4);
                            let b = p.get("end").and_then(Value::as_str).and_then(ip4);
                            let (Some(a), Some(b)) = (a, b) else {
                                return Err(Fault::bad_request("Malformed allocation pool"));
                            };
                            if a > b || !in_cidr(a, (base, len)) || !in_cidr(b, (base, len)) {
                                return Err(Fault::bad_request("Malformed allocation pool"));
                            }
                            if let Some(g) = gateway.as_deref().and_then(ip4) {
                                if (a..=b).contains(&g) {
                                    return Err(Fault::conflict(
                                        "Allocation pool overlaps with the gateway",
                                    ));
                                }
                            }
                            pools.push((ip4_str(a), ip4_str(b)));
                        }
                        pools
                    }
                    _ => {
                        let g = gateway.as_deref().and_then(ip4);
                        let start = if g == Some(base + 1) {
                            base + 2
                        } else {
                            base + 1
                        };
                        vec![(ip4_str(start), ip4_str(bcast - 1))]
                    }
                };
                (gateway, pools)
            } else {
                if !cidr.contains(':') || !cidr.contains('/') {
                    return Err(Fault::bad_request(format!("Invalid cidr '{cidr}'")));
                }
                let gw = match s.get("gateway_ip") {
                    Some(Value::String(g)) if !g.is_empty() => Some(g.clone()),
                    _ => None,
                };
                (gw, vec![])
            };
            let id = Counters::next(&mut st.counters.subnet);
            let sub = Subnet {
                id,
                network: net_id,
                user: Some(user.clone()),
                name: s
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                cidr,
                ip_version,
                gateway,
                dhcp,
                slaac: s
                    .get("enable_slaac")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                pools,
                dns: s
                    .get("dns_nameservers")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                routes: s
                    .get("host_routes")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            };
            st.subnets.insert(id, sub.clone());
            if let Some(n) = st.networks.get_mut(&net_id) {
                n.updated = now;
            }
            json_response(201, &json!({"subnet": subnet_json(cloud, &sub)}))
        }
        (method, ["subnets", id]) => {
            let id = parse_id(id, "Subnet")?;
            let visible = {
                let st = cloud.lock();
                st.subnets
                    .get(&id)
                    .filter(|s| {
                        st.networks
                            .get(&s.network)
                            .is_some_and(|n| network_visible(n, &user))
                    })
                    .cloned()
                    .ok_or_else(|| Fault::not_found(format!("Subnet {id} not found")))?
            };
            match method {
                Method::GET => json_response(200, &json!({"subnet": subnet_json(cloud, &visible)})),
                Method::PUT => {
                    let body = req.json().await?;
                    let s = body_obj(&body, "subnet")?;
                    if s.len() != 1 || !s.contains_key("name") {
                        return Err(Fault::bad_request("Only the subnet name can be updated"));
                    }
                    let name = s
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let mut st = cloud.lock();
                    let sub = st
                        .subnets
                        .get_mut(&id)
                        .ok_or_else(|| Fault::not_found(format!("Subnet {id} not found")))?;
                    if sub.user.as_deref() != Some(user.as_str()) {
                        return Err(Fault::forbidden("Cannot modify this subnet"));
                    }
                    sub.name = name;
                    let sub = sub.clone();
                    json_response(200, &json!({"subnet": subnet_json(cloud, &sub)}))
                }
                Method::DELETE => Err(Fault::bad_request("Deletion of a subnet is not supported")),
                _ => Err(Fault::not_allowed("GET, PUT, DELETE")),
            }
        }
        // ports
        (Method::GET, ["ports"]) | (Method::GET, ["ports", "detail"]) => {
            let st = cloud.lock();
            let list: Vec<Value> = st
                .ports
                .values()
                .filter(|p| p.user == user)
                .map(|p| port_json(cloud, p))
                .collect();
            json_response(200, &json!({"ports": list}))
        }
        (Method::POST, ["ports"]) => {
            let body = req.json().await?;
            if body.contains_key("ports") {
                return Err(Fault::bad_request("Bulk port creation is not supported"));
            }
            let p = body_obj(&body, "port")?;
            let net_id = p
                .get("network_id")
                .and_then(as_id)
                .ok_or_else(|| Fault::bad_request("Missing or invalid network_id"))?;
            let device = match p.get("device_id") {
                None | Some(Value::Null) => None,
                Some(v) => Some(as_id(v).ok_or_else(|| Fault::bad_request("Invalid device_id"))?),
            };
            let fixed_ip = match p.get("fixed_ips") {
                None | Some(Value::Null) => None,
                Some(Value::Array(list)) => {
                    if list.len() > 1 {
                        return Err(Fault::bad_request("Only one fixed IP is allowed"));
                    }
                    match list.first() {
                        None => None,
                        Some(item) => Some(
                            item.get("ip_address")
                                .and_then(Value::as_str)
                                .ok_or_else(|| {
                                    Fault::bad_request("fixed_ips items need ip_address")
                                })?
                                .to_string(),
                        ),
                    }
                }
                Some(_) => return Err(Fault::bad_request("fixed_ips must be a list")),
            };
            let sgs: Vec<String> = match p.get("security_groups") {
                Some(Value::Array(l)) => l
                    .iter()
                    .map(|v| as_id(v).map(|i| i.to_string()))
                    .collect::<Option<_>>()
                    .ok_or_else(|| Fault::bad_request("Invalid security group id"))?,
                _ => vec![],
            };
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mut st = cloud.lock();
            if let Some(d) = device {
                let ok = st
                    .servers
                    .get(&d)
                    .is_some_and(|s| s.user == user && !s.deleted);
                if !ok {
                    return Err(Fault::not_found(format!("Server {d} not found")));
                }
            }
            let net = st
                .networks
                .get(&net_id)
                .filter(|n| network_visible(n, &user))
                .cloned()
                .ok_or_else(|| Fault::not_found(format!("Network {net_id} not found")))?;
            if net.public && fixed_ip.is_none() {
                return Err(Fault::bad_request(
                    "A floating IP address is required to connect to a public network",
                ));
            }
            let id = create_port(
                &mut st, &user, net_id, device, fixed_ip, &name, sgs, now, delay,
            )?;
            let port = st
                .ports
                .get(&id)
                .cloned()
                .ok_or_else(|| Fault::internal("port vanished"))?;
            json_response(201, &json!({"port": port_json(cloud, &port)}))
        }
        (method, ["ports", id]) => {
            let id = parse_id(id, "Port")?;
            match method {
                Method::GET => {
                    let st = cloud.lock();
                    let p = st
                        .ports
                        .get(&id)
                        .filter(|p| p.user == user)
                        .ok_or_else(|| Fault::not_found(format!("Port {id} not found")))?;
                    json_response(200, &json!({"port": port_json(cloud, p)}))
                }
                Method::PUT => {
                    let body = req.json().await?;
                    let p = body_obj(&body, "port")?;
                    let mut st = cloud.lock();
                    let port = st
                        .ports
                        .get_mut(&id)
                        .filter(|p| p.user == user)
                        .ok_or_else(|| Fault::not_found(format!("Port {id} not found")))?;
                    if let Some(n) = p.get("name").and_then(Value::as_str) {
                        port.name = n.to_string();
                    }
                    if let Some(Value::Array(l)) = p.get("security_groups") {
                        port.security_groups =
                            l.iter().filter_map(as_id).map(|i| i.to_string()).collect();
                    }
                    port.updated = now;
                    let port = port.clone();
                    json_response(200, &json!({"port": port_json(cloud, &port)}))
                }
                Method::DELETE => {
                    let mut st = cloud.lock();
                    let port = st
                        .ports
                        .get_mut(&id)
                        .filter(|p| p.user == user)
                        .ok_or_else(|| Fault::not_found(format!("Port {id} not found")))?;
                    if port.delete_at.is_none() {
                        port.delete_at = Some(now + delay);
                    }
                    empty_response(204)
                }
                _ => Err(Fault::not_allowed("GET, PUT, DELETE")),
            }
        }
        // floating IPs
        (Method::GET, ["floatingips"]) | (Method::GET, ["floatingips", "detail"]) => {
            let st = cloud.lock();
            let list: Vec<Value> = st
                .floating_ips
                .values()
                .filter(|f| f.user == user)
                .map(|f| fip_json(&st, f))
                .collect();
            json_response(200, &json!({"floatingips": list}))
        }
        (Method::POST, ["floatingips"]) => {
            let body = req.json().await?;
            let f = match body.get("floatingip") {
                Some(Value::Object(m)) => m.clone(),
                Some(Value::Null) | None => Map::new(),
                Some(_) => return Err(Fault::bad_request("Malformed request")),
            };
            let mut st = cloud.lock();
            let net_id = match f.get("floating_network_id") {
                None | Some(Value::Null) => st
                    .networks
                    .values()
                    .find(|n| n.floating_ip_pool)
                    .map(|n| n.id)
                    .ok_or_else(|| Fault::conflict("No floating IP pool available"))?,
                Some(v) => {
                    as_id(v).ok_or_else(|| Fault::bad_request("Invalid floating_network_id"))?
                }
            };
            let net = st
                .networks
                .get(&net_id)
                .cloned()
                .ok_or_else(|| Fault::not_found(format!("Network {net_id} not found")))?;
            if !net.floating_ip_pool {
                return Err(Fault::bad_request(format!(
                    "Network {net_id} is not a floating IP pool"
                )));
            }
            let sub =
                v4_subnet(&st, net_id).ok_or_else(|| Fault::conflict("Network has no subnet"))?;
            let address = match f
                .get("floating_ip_address")
                .and_then(Value::as_str)
                .filter(|a| !a.is_empty())
            {
                Some(a) => {
                    let c = cidr4(&sub.cidr).ok_or_else(|| Fault::internal("bad subnet"))?;
                    if !ip4(a).is_some_and(|v| in_cidr(v, c)) {
                        return Err(Fault::bad_request(format!(
                            "Address '{a}' is not in the network"
                        )));
                    }
                    if used_ips(&st, net_id).contains(a) {
                        return Err(Fault::conflict(format!("Address '{a}' is already in use")));
                    }
                    a.to_string()
                }
                None => alloc_ip(&st, &sub)
                    .ok_or_else(|| Fault::conflict("No more free addresses in the network"))?,
            };
            let id = Counters::next(&mut st.counters.floating_ip);
            let project = f
                .get("project")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| st.default_project(&user));
            let fip = FloatingIp {
                id,
                user: user.clone(),
                project,
                network: net_id,
                address,
                port: None,
                created: now,
                shared_to_project: false,
            };
            st.floating_ips.insert(id, fip.clone());
            json_response(200, &json!({"floatingip": fip_json(&st, &fip)}))
        }
        (method, ["floatingips", id]) => {
            let id = parse_id(id, "Floating IP")?;
            match method {
                Method::GET => {
                    let st = cloud.lock();
                    let f = st
                        .floating_ips
                        .get(&id)
                        .filter(|f| f.user == user)
                        .ok_or_else(|| Fault::not_found(format!("Floating IP {id} not found")))?;
                    json_response(200, &json!({"floatingip": fip_json(&st, f)}))
                }
                Method::PUT => Err(Fault::not_implemented(
                    "Updating floating IPs is not supported",
                )),
                Method::DELETE => {
                    let mut st = cloud.lock();
                    let f = st
                        .floating_ips
                        .get(&id)
                        .filter(|f| f.user == user)
                        .ok_or_else(|| Fault::not_found(format!("Floating IP {id} not found")))?;
                    if f.port.is_some() {
                        return Err(Fault::conflict("Floating IP is in use"));
                    }
                    st.floating_ips.remove(&id);
                    empty_response(204)
                }
                _ => Err(Fault::not_allowed("GET, DELETE")),
            }
        }
        (Method::POST, ["floatingips", id, "action"]) => {
            let id = parse_id(id, "Floating IP")?;
            let body = req.json().await?;
            let r = body_obj(&body, "reassign")?;
            let project = r
                .get("project")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("Missing project"))?;
            let mut st = cloud.lock();
            let f = st
                .floating_ips
                .get_mut(&id)
                .filter(|f| f.user == user)
                .ok_or_else(|| Fault::not_found(format!("Floating IP {id} not found")))?;
            f.project = project.to_string();
            empty_response(200)
        }
        _ => Err(Fault::endpoint_not_found()),
    }
}
