//! `sharer` and `group` commands (`spec/cli.md` §10.9).

use super::*;

/// Runs a `sharer` command.
pub async fn sharer(app: &mut App, cmd: SharerCmd) -> CliResult {
    let mut p = pithos(app, None, None).await?;
    match cmd {
        SharerCmd::List(a) => {
            let accounts = p
                .client
                .list_sharing_accounts(ListSharingAccountsOptions {
                    marker: a.marker.clone(),
                    ..Default::default()
                })
                .await?;
            let uuids: Vec<String> = accounts.iter().map(|s| s.name.clone()).collect();
            let names = if uuids.is_empty() {
                Default::default()
            } else {
                p.session(app).await?.usernames(&uuids).await
            };
            let items: Vec<Value> = accounts
                .iter()
                .map(|s| {
                    let mut v = to_value(s);
                    if let Value::Object(m) = &mut v {
                        m.insert(
                            "username".into(),
                            Value::String(names.get(&s.name).cloned().unwrap_or_default()),
                        );
                        if !a.details && !app.printer.json {
                            m.retain(|k, _| k == "name" || k == "username");
                        }
                    }
                    v
                })
                .collect();
            app.printer.items(&items, &["name", "username"], false);
        }
        SharerCmd::Info(a) => {
            let c = match &a.account {
                Some(who) => {
                    let uuid = p.resolve_user(app, who).await?;
                    p.client.for_account(uuid)
                }
                None => p.client.clone(),
            };
            let info = c
                .get_account_info(&AccountInfoOptions::default())
                .await
                .map_err(|e| {
                    if e.is_not_found() || e.status == 403 {
                        CliError::value(format!(
                            "Account {} is not accessible",
                            a.account.as_deref().unwrap_or("")
                        ))
                        .hint(
                            "To list the accounts sharing with you",
                            "kamaki sharer list",
                        )
                        .detail(crate::error::server_line(&e))
                    } else {
                        e.into()
                    }
                })?;
            let mut rec = to_value(&info.headers);
            if !app.printer.json {
                if let Value::Object(m) = &mut rec {
                    for key in ["x-account-bytes-used", "x-account-policy-quota"] {
                        if let Some(n) = m.get(key).and_then(|v| v.as_str()?.parse::<u64>().ok()) {
                            m.insert(
                                key.into(),
                                Value::String(format!("{n} ({})", format_size(n))),
                            );
                        }
                    }
                }
            }
            app.printer.record(&rec);
        }
    }
    Ok(())
}

fn groups_record(info: &kamaki_synnefo::pithos::AccountInfo, json: bool) -> Value {
    let mut m = Map::new();
    for (g, members) in &info.groups {
        m.insert(
            g.clone(),
            if json {
                Value::from(members.clone())
            } else {
                Value::String(members.join(","))
            },
        );
    }
    Value::Object(m)
}

/// Runs a `group` command.
pub async fn group(app: &mut App, cmd: GroupCmd) -> CliResult {
    let mut p = pithos(app, None, None).await?;
    let json = app.printer.json;
    match cmd {
        GroupCmd::List(_) => {
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            app.printer.record(&groups_record(&info, json));
        }
        GroupCmd::Create(a) => {
            let mut members = a.uuid.clone();
            for n in &a.username {
                let uuid = p.session(app).await?.resolve_user(n).await?;
                members.push(uuid);
            }
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            let exists = info.groups.contains_key(&a.name.to_lowercase())
                || info.groups.contains_key(&a.name);
            if exists && !ask(&format!("Group {} exists, replace its members?", a.name)) {
                note("Aborted");
                return Ok(());
            }
            p.client.set_account_group(&a.name, &members).await?;
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            app.printer.record(&groups_record(&info, json));
        }
        GroupCmd::Delete(a) => {
            p.client.delete_account_group(&a.name).await?;
            let info = p
                .client
                .get_account_info(&AccountInfoOptions::default())
                .await?;
            app.printer.record(&groups_record(&info, json));
        }
    }
    Ok(())
}
