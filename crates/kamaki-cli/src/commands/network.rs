//! `network`, `subnet`, `port`, `ip` on the network API
//! (`kamaki_openstack::network::NetworkClient`, `spec/cli.md` §10.4).
//! The `reassign` commands go through the Cyclades network client
//! (`kamaki_synnefo::cyclades::CycladesNetworkClient`).

use kamaki_openstack::network::{
    AllocationPool, CreateFloatingIp, CreateNetwork, CreatePort, CreateSubnet, FixedIp, Gateway,
    ListNetworksOptions, ListPortsOptions, NetworkClient, UpdateNetwork, UpdatePort, UpdateSubnet,
};
use kamaki_openstack::Extra;
use kamaki_synnefo::cyclades::CycladesNetworkClient;
use serde_json::Value;

use super::common::*;
use crate::app::App;
use crate::cli::*;
use crate::error::{CliError, CliResult};
use crate::output::note;
use crate::session::Service;

async fn client(app: &mut App) -> CliResult<NetworkClient> {
    let session = app.session().await?;
    let (url, token) = session.endpoint(Service::Network)?;
    Ok(NetworkClient::with_http(&url, session.http_with(&token))?)
}

fn not_found(kind: &str, id: &str, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!("No {kind} with id {id}"))
            .hint(
                format!("To get a list of {kind}s"),
                format!("kamaki {kind} list"),
            )
            .detail(crate::error::server_line(&e))
    } else if e.status == 403 {
        CliError::from(e).detail("Insufficient permissions").hint(
            format!("To see the {kind}"),
            format!("kamaki {kind} info {id}"),
        )
    } else {
        e.into()
    }
}

fn pick_fields(items: Vec<Value>, keep: &[&str]) -> Vec<Value> {
    items
        .into_iter()
        .map(|mut v| {
            if let Value::Object(m) = &mut v {
                m.retain(|k, _| keep.contains(&k.as_str()));
            }
            v
        })
        .collect()
}

async fn wait_port(
    c: &NetworkClient,
    id: &str,
    status: &str,
    until: bool,
    timeout: u64,
) -> CliResult<Option<Value>> {
    let opts = wait_options(timeout);
    let outcome = if until {
        c.wait_port_until(id, status, &opts).await?
    } else {
        c.wait_port_while(id, status, &opts).await?
    };
    Ok(report_wait("Port", id, outcome, |p| p.status.as_str().to_string())?.map(|p| to_value(&p)))
}

async fn new_port(
    c: &NetworkClient,
    req: &CreatePort,
    wait: bool,
    printer: &crate::output::Printer,
) -> CliResult {
    let p = c
        .create_port(req)
        .await
        .map_err(|e| not_found("network", &req.network_id, e))?;
    let mut v = to_value(&p);
    if wait {
        let id = p.id.to_string();
        wait_port(c, &id, p.status.as_str(), false, 60).await?;
        v = to_value(&c.get_port(&id).await?);
    }
    printer.items(&[v], &["id"], false);
    Ok(())
}

/// Runs a `network` command.
pub async fn network(app: &mut App, cmd: NetworkCmd) -> CliResult {
    let c = client(app).await?;
    match cmd {
        NetworkCmd::List(a) => {
            let opts = ListNetworksOptions {
                detail: true,
                ..Default::default()
            };
            let mut items = to_values(&c.list_networks(&opts).await?);
            items.retain(|n| {
                a.user_id
                    .as_ref()
                    .is_none_or(|u| field(n, "user_id") == *u || field(n, "tenant_id") == *u)
            });
            let items = filter_ids(filter_names(items, &a.names), &a.ids);
            if a.details || app.printer.json {
                app.printer.items(&items, &["id", "name"], false);
            } else {
                let items: Vec<Value> = items
                    .into_iter()
                    .map(|n| {
                        let public = n
                            .get("public")
                            .and_then(Value::as_bool)
                            .or_else(|| n.get("router:external").and_then(Value::as_bool))
                            .unwrap_or(false);
                        serde_json::json!({"id": n.get("id"), "name": n.get("name"),
                            "public": if public { "( public )" } else { "( private )" }})
                    })
                    .collect();
                app.printer.items(&items, &["id", "name", "public"], false);
            }
        }
        NetworkCmd::Info(a) => {
            let n = c
                .get_network(&a.network_id)
                .await
                .map_err(|e| not_found("network", &a.network_id, e))?;
            app.printer.record(&to_value(&n));
        }
        NetworkCmd::Create(a) => {
            let mut extra = Extra::new();
            extra.insert("type".into(), Value::String(a.network_type.to_uppercase()));
            if let Some(p) = &a.project_id {
                extra.insert("project".into(), Value::String(p.clone()));
            }
            let req = CreateNetwork {
                name: a.name.clone(),
                admin_state_up: Some(true),
                shared: a.shared.then_some(true),
                extra,
            };
            let n = c.create_network(&req).await?;
            app.printer.record(&to_value(&n));
        }
        NetworkCmd::Modify(a) => {
            let upd = UpdateNetwork {
                name: Some(a.name.clone()),
                ..Default::default()
            };
            let n = c
                .update_network(&a.network_id, &upd)
                .await
                .map_err(|e| not_found("network", &a.network_id, e))?;
            app.printer.record(&to_value(&n));
        }
        NetworkCmd::Delete(a) => {
            c.delete_network(&a.network_id).await.map_err(|e| {
                if e.is_conflict() {
                    CliError::from(e)
                        .detail(format!("Network {} is in use", a.network_id))
                        .hint("To see the ports connected to it", "kamaki port list")
                } else {
                    not_found("network", &a.network_id, e)
                }
            })?;
        }
        NetworkCmd::Connect(a) => {
            for device in &a.device_id {
                note(&format!(
                    "Creating a port to connect network {} with device {device}",
                    a.network_id
                ));
                let fixed = FixedIp {
                    ip_address: a.ip_address.clone(),
                    subnet_id: a.subnet_id.as_deref().map(Into::into),
                    ..Default::default()
                };
                let req = CreatePort {
                    network_id: a.network_id.clone(),
                    device_id: Some(device.clone()),
                    name: a.name.clone(),
                    security_groups: a.security_group.clone(),
                    fixed_ips: if a.ip_address.is_some() || a.subnet_id.is_some() {
                        vec![fixed]
                    } else {
                        vec![]
                    },
                    ..Default::default()
                };
                new_port(&c, &req, a.wait.wait, &app.printer).await?;
            }
        }
        NetworkCmd::Disconnect(a) => {
            for device in &a.device_id {
                let opts = ListPortsOptions {
                    detail: true,
                    network_id: Some(a.network_id.clone()),
                    device_id: Some(device.clone()),
                    ..Default::default()
                };
                let ports = c.list_ports(&opts).await?;
                for p in ports.iter().filter(|p| {
                    p.network_id.as_ref().map(|n| n.as_str()) == Some(a.network_id.as_str())
                }) {
                    let id = p.id.to_string();
                    c.delete_port(&id).await?;
                    note(&format!(
                        "Deleted port {id} (network {}, device {device})",
                        a.network_id
                    ));
                    if a.wait.wait {
                        c.wait_port_deleted(&id, &wait_options(60)).await?;
                        note(&format!("Port {id} is deleted"));
                    }
                }
            }
        }
        NetworkCmd::Reassign(a) => {
            CycladesNetworkClient::from(c.clone())
                .reassign_network(&a.network_id, &a.project_id)
                .await
                .map_err(|e| not_found("network", &a.network_id, e))?;
        }
    }
    Ok(())
}

/// Runs a `subnet` command.
pub async fn subnet(app: &mut App, cmd: SubnetCmd) -> CliResult {
    let c = client(app).await?;
    match cmd {
        SubnetCmd::List(a) => {
            let items = to_values(&c.list_subnets(&Default::default()).await?);
            let items = filter_ids(filter_names(items, &a.names), &a.ids);
            if a.details || app.printer.json {
                app.printer.items(&items, &["id", "name"], false);
            } else {
                let items: Vec<Value> = items
                    .into_iter()
                    .map(|s| {
                        serde_json::json!({"id": s.get("id"), "name": s.get("name"),
                        "net": format!("( of network {} )", field(&s, "network_id"))})
                    })
                    .collect();
                app.printer.items(&items, &["id", "name", "net"], false);
            }
        }
        SubnetCmd::Info(a) => {
            let s = c
                .get_subnet(&a.subnet_id)
                .await
                .map_err(|e| not_found("subnet", &a.subnet_id, e))?;
            app.printer.record(&to_value(&s));
        }
        SubnetCmd::Create(a) => {
            let mut pools = Vec::new();
            for p in &a.alloc_pool {
                let (start, end) = p.split_once(',').ok_or_else(|| {
                    CliError::syntax(format!("Invalid allocation pool {p}"))
                        .detail("Use --alloc-pool START,END")
                })?;
                pools.push(AllocationPool {
                    start: start.trim().into(),
                    end: end.trim().into(),
                });
            }
            let gateway = match (&a.gateway, a.no_gateway) {
                (Some(ip), _) => Gateway::Ip(ip.clone()),
                (None, true) => Gateway::Disabled,
                _ => Gateway::Default,
            };
            let req = CreateSubnet {
                network_id: a.network_id.clone(),
                cidr: a.cidr.clone(),
                name: a.name.clone(),
                allocation_pools: pools,
                gateway,
                subnet_id: a.id.clone(),
                ipv6: a.ipv6,
                enable_dhcp: a.with_dhcp.then_some(true),
                ..Default::default()
            };
            let s = c
                .create_subnet(&req)
                .await
                .map_err(|e| not_found("network", &a.network_id, e))?;
            app.printer.record(&to_value(&s));
        }
        SubnetCmd::Modify(a) => {
            let upd = UpdateSubnet {
                name: Some(a.name.clone()),
                ..Default::default()
            };
            let s = c
                .update_subnet(&a.subnet_id, &upd)
                .await
                .map_err(|e| not_found("subnet", &a.subnet_id, e))?;
            app.printer.record(&to_value(&s));
        }
    }
    Ok(())
}

/// Runs a `port` command.
pub async fn port(app: &mut App, cmd: PortCmd) -> CliResult {
    let c = client(app).await?;
    match cmd {
        PortCmd::List(a) => {
            let opts = ListPortsOptions {
                detail: true,
                ..Default::default()
            };
            let mut items = to_values(&c.list_ports(&opts).await?);
            items.retain(|p| {
                a.user_id
                    .as_ref()
                    .is_none_or(|u| field(p, "user_id") == *u || field(p, "tenant_id") == *u)
            });
            let items = filter_ids(filter_names(items, &a.names), &a.ids);
            let items = if a.details || app.printer.json {
                items
            } else {
                brief(items)
            };
            app.printer.items(&items, &["id", "name"], false);
        }
        PortCmd::Info(a) => {
            let p = c
                .get_port(&a.port_id)
                .await
                .map_err(|e| not_found("port", &a.port_id, e))?;
            app.printer.record(&to_value(&p));
        }
        PortCmd::Create(a) => {
            let fixed = FixedIp {
                ip_address: a.ip_address.clone(),
                subnet_id: a.subnet_id.as_deref().map(Into::into),
                ..Default::default()
            };
            let req = CreatePort {
                network_id: a.network_id.clone(),
                device_id: Some(a.device_id.clone()),
                name: a.name.clone(),
                security_groups: a.security_group.clone(),
                fixed_ips: if a.ip_address.is_some() || a.subnet_id.is_some() {
                    vec![fixed]
                } else {
                    vec![]
                },
                ..Default::default()
            };
            new_port(&c, &req, a.wait.wait, &app.printer).await?;
        }
        PortCmd::Modify(a) => {
            let upd = UpdatePort {
                name: Some(a.name.clone()),
                ..Default::default()
            };
            let p = c
                .update_port(&a.port_id, &upd)
                .await
                .map_err(|e| not_found("port", &a.port_id, e))?;
            app.printer.record(&to_value(&p));
        }
        PortCmd::Delete(a) => {
            c.delete_port(&a.port_id)
                .await
                .map_err(|e| not_found("port", &a.port_id, e))?;
            if a.wait.wait {
                c.wait_port_deleted(&a.port_id, &wait_options(60)).await?;
                note(&format!("Port {} is deleted", a.port_id));
            }
        }
        PortCmd::Wait(a) => {
            let id = a.port_id.as_str();
            let p = c.get_port(id).await.map_err(|e| not_found("port", id, e))?;
            let current = p.status.as_str().to_string();
            if let Some(until) = &a.wait.until {
                if current.eq_ignore_ascii_case(until) {
                    note(&format!("Port {id} is already {current}"));
                    return Ok(());
                }
                wait_port(&c, id, &until.to_uppercase(), true, a.wait.timeout).await?;
            } else {
                let w = a
                    .wait
                    .while_status
                    .clone()
                    .or(a.wait.status.clone())
                    .unwrap_or_else(|| "BUILD".into());
                if !current.eq_ignore_ascii_case(&w) {
                    note(&format!("Port {id} status: {current}"));
                    return Ok(());
                }
                wait_port(&c, id, &current, false, a.wait.timeout).await?;
            }
        }
    }
    Ok(())
}

/// Runs an `ip` command.
pub async fn ip(app: &mut App, cmd: IpCmd) -> CliResult {
    let c = client(app).await?;
    let find = |ips: &[kamaki_openstack::network::FloatingIp], wanted: &str| -> CliResult<Value> {
        ips.iter()
            .map(to_value)
            .find(|v| field(v, "floating_ip_address") == wanted || field(v, "id") == wanted)
            .ok_or_else(|| {
                CliError::value(format!("No floating IP {wanted}"))
                    .hint("To get a list of floating IPs", "kamaki ip list")
            })
    };
    match cmd {
        IpCmd::List(_) => {
            let items = to_values(&c.list_floatingips(&Default::default()).await?);
            let items = if app.printer.json {
                items
            } else {
                pick_fields(
                    items,
                    &[
                        "id",
                        "floating_ip_address",
                        "floating_network_id",
                        "port_id",
                        "instance_id",
                    ],
                )
            };
            app.printer.items(&items, &["id"], false);
        }
        IpCmd::Info(a) => {
            let f = c
                .get_floatingip(&a.ip_id)
                .await
                .map_err(|e| not_found("ip", &a.ip_id, e))?;
            app.printer.record(&to_value(&f));
        }
        IpCmd::Create(a) => {
            let mut extra = Extra::new();
            if let Some(p) = &a.project_id {
                extra.insert("project".into(), Value::String(p.clone()));
            }
            let req = CreateFloatingIp {
                floating_network_id: a.network_id.clone(),
                floating_ip_address: a.address.clone(),
                extra,
                ..Default::default()
            };
            let f = c.create_floatingip(&req).await?;
            app.printer.record(&to_value(&f));
        }
        IpCmd::Delete(a) => {
            c.delete_floatingip(&a.ip_id)
                .await
                .map_err(|e| not_found("ip", &a.ip_id, e))?;
        }
        IpCmd::Attach(a) => {
            let ips = c.list_floatingips(&Default::default()).await?;
            let f = find(&ips, &a.ip)?;
            let address = field(&f, "floating_ip_address");
            note(&format!(
                "Creating a port to attach IP {address} to server {}",
                a.server_id
            ));
            let req = CreatePort {
                network_id: field(&f, "floating_network_id"),
                device_id: Some(a.server_id.clone()),
                name: a.name.clone(),
                security_groups: a.security_group.clone(),
                fixed_ips: vec![FixedIp::address(address)],
                ..Default::default()
            };
            new_port(&c, &req, a.wait.wait, &app.printer).await?;
        }
        IpCmd::Detach(a) => {
            let ips = c.list_floatingips(&Default::default()).await?;
            let f = find(&ips, &a.ip)?;
            let port = field(&f, "port_id");
            if port.is_empty() {
                return Err(CliError::value(format!(
                    "IP {} is not attached to any server",
                    a.ip
                )));
            }
            note(&format!(
                "Deleting port {port} of IP {}",
                field(&f, "floating_ip_address")
            ));
            c.delete_port(&port).await?;
            if a.wait.wait {
                c.wait_port_deleted(&port, &wait_options(60)).await?;
                note(&format!("Port {port} is deleted"));
            }
        }
        IpCmd::Reassign(a) => {
            CycladesNetworkClient::from(c.clone())
                .reassign_floating_ip(&a.ip_id, &a.project_id)
                .await
                .map_err(|e| not_found("ip", &a.ip_id, e))?;
        }
    }
    Ok(())
}
