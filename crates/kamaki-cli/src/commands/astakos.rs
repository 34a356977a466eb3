//! Account API commands (`user uuid2name/name2uuid/setdefaultproject`,
//! `quota`, `resource`, `project`, `membership`, `commission`) on
//! `kamaki_synnefo::astakos::AccountApi` (`spec/cli.md` §10.1).

use std::collections::BTreeMap;

use kamaki_synnefo::astakos::{
    mk_provisions, AccountApi, Commission, ProjectFilters, ProjectSpecs, ResourceCapacity,
};
use serde_json::{Map, Value};

use super::common::*;
use crate::app::App;
use crate::cli::*;
use crate::error::{CliError, CliResult};
use crate::output::{format_size, note, println};
use crate::session::Service;

async fn account(app: &mut App) -> CliResult<AccountApi> {
    let session = app.session().await?;
    let (url, token) = session.endpoint(Service::Account)?;
    Ok(AccountApi::new(&url, session.http_with(&token))?)
}

fn not_found(kind: &str, id: &str, e: kamaki_core::ClientError) -> CliError {
    if e.is_not_found() {
        CliError::value(format!("No {kind} with id {id}"))
            .hint(
                format!("To get a list of {kind}s"),
                format!("kamaki {kind} list"),
            )
            .detail(crate::error::server_line(&e))
    } else {
        e.into()
    }
}

/// `user uuid2name`, `user name2uuid`, `user setdefaultproject`.
pub async fn user(app: &mut App, cmd: &UserCmd) -> CliResult {
    let api = account(app).await?;
    match cmd {
        UserCmd::Uuid2name(a) => {
            let cat = api.user_catalogs(Some(&a.uuids), None, false).await?;
            let missing: Vec<&String> = a
                .uuids
                .iter()
                .filter(|u| !cat.uuid_catalog.contains_key(*u))
                .collect();
            app.printer.record(&to_value(&cat.uuid_catalog));
            if !missing.is_empty() {
                note(&format!(
                    "Unresolved uuids: {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        UserCmd::Name2uuid(a) => {
            let cat = api.user_catalogs(None, Some(&a.names), false).await?;
            let missing: Vec<&String> = a
                .names
                .iter()
                .filter(|n| !cat.displayname_catalog.contains_key(*n))
                .collect();
            app.printer.record(&to_value(&cat.displayname_catalog));
            if !missing.is_empty() {
                note(&format!(
                    "Unresolved names: {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        UserCmd::Setdefaultproject(a) => {
            api.set_default_project(&a.project_id)
                .await
                .map_err(|e| not_found("project", &a.project_id, e))?;
        }
        _ => return Err(CliError::not_available(&app.command)),
    }
    Ok(())
}

const SIZE_RESOURCES: [&str; 3] = ["cyclades.disk", "cyclades.ram", "pithos.diskspace"];

/// `quota list`.
pub async fn quota(app: &mut App, cmd: QuotaCmd) -> CliResult {
    let QuotaCmd::List(a) = cmd;
    let api = account(app).await?;
    let quotas = api.get_quotas().await?;
    let mut out = Map::new();
    for (project, resources) in quotas {
        if a.project_id.as_ref().is_some_and(|p| *p != project) {
            continue;
        }
        let mut rmap = Map::new();
        for (res, values) in resources {
            if a.resource
                .as_ref()
                .is_some_and(|r| !res.starts_with(r.as_str()))
            {
                continue;
            }
            let mut v = to_value(&values);
            if !a.bytes && !app.printer.json && SIZE_RESOURCES.contains(&res.as_str()) {
                if let Value::Object(m) = &mut v {
                    for (_, x) in m.iter_mut() {
                        if let Some(n) = x.as_i64().filter(|n| *n >= 0) {
                            *x = Value::String(format_size(n as u64));
                        }
                    }
                }
            }
            rmap.insert(res, v);
        }
        out.insert(project, Value::Object(rmap));
    }
    app.printer.record(&Value::Object(out));
    Ok(())
}

/// `resource list`.
pub async fn resource(app: &mut App, _cmd: ResourceCmd) -> CliResult {
    let api = account(app).await?;
    let r = api.get_resources().await?;
    app.printer.record(&to_value(&r));
    Ok(())
}

fn specs(s: &ProjectSpec, private: Option<bool>) -> CliResult<ProjectSpecs> {
    let mut spec: ProjectSpecs = match &s.spec_file {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                CliError::value(format!("Cannot read {}", p.display())).detail(e.to_string())
            })?;
            serde_json::from_str(&text).map_err(|e| {
                CliError::value(format!("{} is not a project specification", p.display()))
                    .detail(e.to_string())
            })?
        }
        None => ProjectSpecs::default(),
    };
    let set = |dst: &mut Option<String>, v: &Option<String>| {
        if v.is_some() {
            dst.clone_from(v);
        }
    };
    set(&mut spec.name, &s.name);
    set(&mut spec.owner, &s.owner);
    set(&mut spec.homepage, &s.homepage);
    set(&mut spec.description, &s.description);
    set(&mut spec.start_date, &s.start_date);
    set(&mut spec.end_date, &s.end_date);
    set(
        &mut spec.join_policy,
        &s.join_policy.as_ref().map(|p| p.to_lowercase()),
    );
    set(
        &mut spec.leave_policy,
        &s.leave_policy.as_ref().map(|p| p.to_lowercase()),
    );
    if let Some(m) = s.max_members {
        spec.max_members = Some(m as i64);
    }
    if private.is_some() {
        spec.private = private;
    }
    if !s.resource.is_empty() {
        let mut res: BTreeMap<String, ResourceCapacity> = spec.resources.take().unwrap_or_default();
        for (name, caps) in &s.resource {
            let parse = |x: &str| x.trim().parse::<i64>();
            let (m, p) = caps.split_once(',').ok_or_else(|| {
                CliError::syntax(format!("Invalid resource {name}={caps}"))
                    .detail("Use --resource RESOURCE=MEMBER_CAPACITY,PROJECT_CAPACITY")
            })?;
            let (Ok(m), Ok(p)) = (parse(m), parse(p)) else {
                return Err(CliError::syntax(format!("Invalid resource {name}={caps}"))
                    .detail("Capacities are integers"));
            };
            if m > p {
                return Err(CliError::value(format!(
                    "Member capacity of {name} exceeds the project capacity"
                )));
            }
            res.insert(
                name.clone(),
                ResourceCapacity {
                    project_capacity: p,
                    member_capacity: m,
                },
            );
        }
        spec.resources = Some(res);
    }
    Ok(spec)
}

/// `project` commands.
pub async fn project(app: &mut App, cmd: ProjectCmd) -> CliResult {
    let api = account(app).await?;
    match cmd {
        ProjectCmd::List(a) => {
            let filters = ProjectFilters {
                name: a.with_name.clone(),
                state: a.with_state.clone(),
                owner: a.with_owner.clone(),
                ..Default::default()
            };
            let items = to_values(&api.get_projects(&filters).await?);
            let items = if a.details || app.printer.json {
                items
            } else {
                items
                    .into_iter()
                    .map(|mut v| {
                        if let Value::Object(m) = &mut v {
                            m.retain(|k, _| k == "id" || k == "name" || k == "description");
                        }
                        v
                    })
                    .collect()
            };
            app.printer.items(&items, &["id", "name"], false);
        }
        ProjectCmd::Info(a) => {
            let p = api
                .get_project(&a.project_id)
                .await
                .map_err(|e| not_found("project", &a.project_id, e))?;
            app.printer.record(&to_value(&p));
        }
        ProjectCmd::Create(a) => {
            let spec = specs(&a.spec, a.private)?;
            if a.spec.spec_file.is_none() && (spec.name.is_none() || spec.end_date.is_none()) {
                return Err(CliError::syntax("Missing required arguments")
                    .detail("Give --spec-file, or both --name and --end-date")
                    .hint(
                        "For the specification template",
                        "kamaki project create --help",
                    ));
            }
            let r = api.create_project(&spec).await?;
            app.printer.record(&to_value(&r));
            note("Project application submitted");
        }
        ProjectCmd::Modify(a) => {
            let private = if a.private {
                Some(true)
            } else if a.public {
                Some(false)
            } else {
                None
            };
            let spec = specs(&a.spec, private)?;
            if spec == ProjectSpecs::default() {
                return Err(CliError::syntax("Nothing to modify")
                    .hint("For the options", "kamaki project modify --help"));
            }
            let r = api
                .modify_project(&a.project_id, &spec)
                .await
                .map_err(|e| not_found("project", &a.project_id, e))?;
            app.printer.record(&to_value(&r));
            note("Project modification submitted");
        }
        ProjectCmd::Suspend(a)
        | ProjectCmd::Unsuspend(a)
        | ProjectCmd::Terminate(a)
        | ProjectCmd::Reinstate(a) => {
            let action = app
                .command
                .rsplit(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            api.project_action(
                &a.project_id,
                &action,
                a.reason.reason.as_deref().unwrap_or(""),
            )
            .await
            .map_err(|e| not_found("project", &a.project_id, e))?;
        }
        ProjectCmd::Approve(a)
        | ProjectCmd::Deny(a)
        | ProjectCmd::Dismiss(a)
        | ProjectCmd::Cancel(a) => {
            let action = app
                .command
                .rsplit(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            let app_id: i64 = a
                .app_id
                .parse()
                .map_err(|_| CliError::syntax(format!("Invalid application id {}", a.app_id)))?;
            api.application_action(
                &a.project_id,
                app_id,
                &action,
                a.reason.reason.as_deref().unwrap_or(""),
            )
            .await
            .map_err(|e| not_found("project", &a.project_id, e))?;
        }
        ProjectCmd::Join(a) => {
            let v = api
                .join_project(&a.project_id)
                .await
                .map_err(|e| not_found("project", &a.project_id, e))?;
            println(&crate::session::value_text(&v));
        }
        ProjectCmd::Enroll(a) => {
            let v = api
                .enroll_member(&a.project_id, &a.email)
                .await
                .map_err(|e| not_found("project", &a.project_id, e))?;
            println(&crate::session::value_text(&v));
        }
    }
    Ok(())
}

/// `membership` commands.
pub async fn membership(app: &mut App, cmd: MembershipCmd) -> CliResult {
    let api = account(app).await?;
    match cmd {
        MembershipCmd::List(a) => {
            let items = to_values(&api.get_memberships(a.project_id.as_deref()).await?);
            app.printer.items(&items, &["id"], false);
        }
        MembershipCmd::Info(a) => {
            let m = api
                .get_membership(&a.membership_id)
                .await
                .map_err(|e| not_found("membership", &a.membership_id, e))?;
            app.printer.record(&to_value(&m));
        }
        MembershipCmd::Leave(a)
        | MembershipCmd::Cancel(a)
        | MembershipCmd::Accept(a)
        | MembershipCmd::Reject(a)
        | MembershipCmd::Remove(a) => {
            let action = app
                .command
                .rsplit(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            api.membership_action(
                &a.membership_id,
                &action,
                a.reason.reason.as_deref().unwrap_or(""),
            )
            .await
            .map_err(|e| not_found("membership", &a.membership_id, e))?;
        }
    }
    Ok(())
}

fn serial(s: &str) -> CliResult<i64> {
    s.trim()
        .parse()
        .map_err(|_| CliError::syntax(format!("Invalid commission serial {s}")))
}

fn serials(s: &Option<String>) -> CliResult<Vec<i64>> {
    s.as_deref()
        .map(|l| {
            l.split(',')
                .filter(|x| !x.trim().is_empty())
                .map(serial)
                .collect()
        })
        .unwrap_or_else(|| Ok(Vec::new()))
}

/// `commission` commands (hidden group).
pub async fn commission(app: &mut App, cmd: CommissionCmd) -> CliResult {
    let api = account(app).await?;
    match cmd {
        CommissionCmd::Pending(_) => {
            let p = api.get_pending_commissions().await?;
            app.printer.record(&Value::from(p));
        }
        CommissionCmd::Info(a) => {
            let v = api.get_commission_info(serial(&a.serial)?).await?;
            app.printer.record(&v);
        }
        CommissionCmd::Accept(a) => api.commission_action(serial(&a.serial)?, "accept").await?,
        CommissionCmd::Reject(a) => api.commission_action(serial(&a.serial)?, "reject").await?,
        CommissionCmd::Resolve(a) => {
            let r = api
                .resolve_commissions(&serials(&a.accept)?, &serials(&a.reject)?)
                .await?;
            app.printer.record(&to_value(&r));
        }
        CommissionCmd::Issue(a) => {
            let text = std::fs::read_to_string(&a.provisions_file).map_err(|e| {
                CliError::value(format!("Cannot read {}", a.provisions_file.display()))
                    .detail(e.to_string())
            })?;
            let provisions: BTreeMap<String, i64> = serde_json::from_str(&text).map_err(|e| {
                CliError::value(format!(
                    "{} is not a JSON object of resource: quantity",
                    a.provisions_file.display()
                ))
                .detail(e.to_string())
            })?;
            let commission = Commission {
                name: a.description.clone().unwrap_or_default(),
                force: a.force,
                auto_accept: a.accept,
                provisions: provisions
                    .iter()
                    .flat_map(|(res, q)| mk_provisions(&a.uuid, &a.source, res, *q))
                    .collect(),
            };
            let serial = api.issue_commission(&commission).await?;
            app.printer.record(&Value::from(serial));
        }
    }
    Ok(())
}

/// `service uuid2username`, `service username2uuid`, `service quotas`
/// (hidden group): the account API with a service token.
pub async fn service(app: &mut App, cmd: ServiceCmd) -> CliResult {
    let token = match &cmd {
        ServiceCmd::List(_) => return super::user::service_list(app).await,
        ServiceCmd::Uuid2username(a) => a.service_token.clone(),
        ServiceCmd::Username2uuid(a) => a.service_token.clone(),
        ServiceCmd::Quotas(a) => a.service_token.clone(),
    };
    let session = app.session().await?;
    let (url, _) = session.endpoint(Service::Account)?;
    let api = AccountApi::new(&url, session.http_with(&kamaki_core::Token::new(token)))?;
    match cmd {
        ServiceCmd::Uuid2username(a) => {
            let cat = api.user_catalogs(Some(&a.uuid), None, true).await?;
            if a.uuid.len() == 1 && !app.printer.json {
                if let Some(n) = cat.uuid_catalog.get(&a.uuid[0]) {
                    println(n);
                    return Ok(());
                }
            }
            app.printer.record(&to_value(&cat.uuid_catalog));
        }
        ServiceCmd::Username2uuid(a) => {
            let cat = api.user_catalogs(None, Some(&a.username), true).await?;
            if a.username.len() == 1 && !app.printer.json {
                if let Some(u) = cat.displayname_catalog.get(&a.username[0]) {
                    println(u);
                    return Ok(());
                }
            }
            app.printer.record(&to_value(&cat.displayname_catalog));
        }
        ServiceCmd::Quotas(a) => {
            let users: Vec<String> = a.uuid.iter().cloned().collect();
            let q = api.service_get_quotas(&users, &[]).await?;
            app.printer.record(&to_value(&q));
        }
        ServiceCmd::List(_) => {}
    }
    Ok(())
}
