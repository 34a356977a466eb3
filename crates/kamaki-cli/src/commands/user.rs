//! `user` commands that need only the identity service, and the catalog
//! views (`endpoint list`, `service list`) (`spec/cli.md` §3.10, §10.1).

use serde_json::Value;

use crate::app::{ask, App};
use crate::cli::{EndpointList, NameFilter, UserCmd};
use crate::error::{CliError, CliResult};
use crate::output::note;
use crate::session::{value_text, Session};

/// Finds a session user by uuid or name.
fn find_user(session: &Session, who: &str) -> Option<usize> {
    session
        .users()
        .iter()
        .position(|u| u.uuid() == who || u.name() == who)
}

fn unknown_user(who: &str) -> CliError {
    CliError::value(format!("User {who} is not a user of this session"))
        .hint("To see the session users", "kamaki user list")
        .hint("To add a user", "kamaki user add --token <token>")
}

/// Runs the identity-only `user` commands; the account-API ones return
/// `Ok(false)` so the caller can route them elsewhere.
pub async fn run(app: &mut App, cmd: &UserCmd) -> CliResult<bool> {
    match cmd {
        UserCmd::Authenticate(a) => {
            let session = app.session().await?;
            let user = match &a.token {
                Some(t) => session.authenticate(t).await.map_err(|e| {
                    CliError::new("This token was not authenticated")
                        .detail(e.headline)
                        .details(e.details)
                })?,
                None => session.user().clone(),
            };
            app.printer.record(&user.access);
        }
        UserCmd::Info(a) => {
            let session = app.session().await?;
            let idx = match (&a.uuid, &a.username) {
                (Some(who), _) | (_, Some(who)) => {
                    let mut s = session;
                    let tokens = app.cloud_tokens(&s.cloud);
                    s.authenticate_all(&tokens).await;
                    let i = find_user(&s, who).ok_or_else(|| unknown_user(who))?;
                    app.printer.record(&s.users()[i].info());
                    return Ok(true);
                }
                _ => 0,
            };
            app.printer.record(&session.users()[idx].info());
        }
        UserCmd::List(a) => {
            let mut session = app.session().await?;
            let tokens = app.cloud_tokens(&session.cloud);
            session.authenticate_all(&tokens).await;
            let users: Vec<Value> = session
                .users()
                .iter()
                .map(|u| {
                    let mut rec = u.info();
                    if let Value::Object(m) = &mut rec {
                        if a.detail || app.printer.json {
                            m.insert("auth_token".into(), Value::String(u.token.clone()));
                        } else {
                            m.retain(|k, _| k == "id" || k == "name");
                        }
                    }
                    rec
                })
                .collect();
            app.printer.items(&users, &["id", "name"], false);
        }
        UserCmd::Add(a) => {
            let session = app.session().await?;
            let user = session.authenticate(&a.token).await?;
            app.printer.record(&user.access);
            let cloud = session.cloud.clone();
            let mut tokens = app.cloud_tokens(&cloud);
            if !tokens.contains(&a.token)
                && ask("Keep this token in the configuration as an extra token?")
            {
                tokens.push(a.token.clone());
                app.config.set_cloud(&cloud, "token", &tokens.join(" "))?;
                app.config.save()?;
            }
        }
        UserCmd::Select(a) => {
            let mut session = app.session().await?;
            let tokens = app.cloud_tokens(&session.cloud);
            session.authenticate_all(&tokens).await;
            let i = find_user(&session, &a.user).ok_or_else(|| unknown_user(&a.user))?;
            session.select(i);
            let u = session.user().clone();
            note(&format!(
                "Current session user is now {} ({})",
                u.name(),
                u.uuid()
            ));
            if i > 0
                && ask(&format!(
                    "Make {} the default user for future sessions?",
                    u.name()
                ))
            {
                let mut reordered = vec![u.token.clone()];
                reordered.extend(tokens.into_iter().filter(|t| *t != u.token));
                app.config
                    .set_cloud(&session.cloud, "token", &reordered.join(" "))?;
                app.config.save()?;
            }
        }
        UserCmd::Delete(a) => {
            let mut session = app.session().await?;
            let tokens = app.cloud_tokens(&session.cloud);
            session.authenticate_all(&tokens).await;
            let i = find_user(&session, &a.user).ok_or_else(|| unknown_user(&a.user))?;
            if i == 0 {
                return Err(
                    CliError::value("Cannot remove the current session user").hint(
                        "To select another user first",
                        "kamaki user select --user <uuid or name>",
                    ),
                );
            }
            let u = session.users()[i].clone();
            session.forget(i);
            note(&format!(
                "User {} ({}) removed from this session",
                u.name(),
                u.uuid()
            ));
            if ask(&format!(
                "Remove the token of {} from the configuration?",
                u.name()
            )) {
                let kept: Vec<String> = tokens.into_iter().filter(|t| *t != u.token).collect();
                app.config
                    .set_cloud(&session.cloud, "token", &kept.join(" "))?;
                app.config.save()?;
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn name_matches(name: &str, f: &NameFilter) -> bool {
    let n = name.to_lowercase();
    f.name.as_ref().is_none_or(|x| n == x.to_lowercase())
        && f.name_prefix
            .as_ref()
            .is_none_or(|x| n.starts_with(&x.to_lowercase()))
        && f.name_suffix
            .as_ref()
            .is_none_or(|x| n.ends_with(&x.to_lowercase()))
        && f.name_like
            .as_ref()
            .is_none_or(|x| n.contains(&x.to_lowercase()))
}

/// `endpoint list`: the catalog entries (hidden group).
pub async fn endpoint_list(app: &mut App, a: &EndpointList) -> CliResult {
    let session = app.session().await?;
    let items: Vec<Value> = session
        .user()
        .catalog()
        .iter()
        .filter(|s| {
            a.service_type.as_ref().is_none_or(|t| {
                s.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|st| st.eq_ignore_ascii_case(t))
            })
        })
        .filter(|s| name_matches(&s.get("name").map(value_text).unwrap_or_default(), &a.names))
        .cloned()
        .collect();
    app.printer.items(&items, &["name", "type"], false);
    Ok(())
}

/// `service list`: the services of the catalog (hidden group).
pub async fn service_list(app: &mut App) -> CliResult {
    let session = app.session().await?;
    let items: Vec<Value> = session.user().catalog().to_vec();
    app.printer.items(&items, &["name", "type"], false);
    Ok(())
}
