//! `scripts verifyfs`: the directory structure of a container (`spec/cli.md` §10.10).

use super::*;

/// The problems `scripts verifyfs` looks for, in the order it handles them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsProblem {
    /// A plain object named like a directory other objects are under.
    Conflict(String),
    /// A directory object whose name holds `\`.
    BackslashDir(String),
    /// A directory implied by object names without its directory object.
    MissingDir(String),
}

/// Checks the directory structure of a listing (names and whether each
/// is a directory object), category by category: the first category
/// with problems is returned.
pub fn verify_fs(objects: &[(String, bool)]) -> Vec<FsProblem> {
    use std::collections::BTreeSet;
    let names: BTreeSet<&str> = objects.iter().map(|(n, _)| n.as_str()).collect();
    let dirs: BTreeSet<&str> = objects
        .iter()
        .filter(|(_, d)| *d)
        .map(|(n, _)| n.as_str())
        .collect();
    let mut implied: BTreeSet<String> = BTreeSet::new();
    for (n, _) in objects {
        let parts: Vec<&str> = n.split('/').collect();
        for i in 1..parts.len() {
            let d = parts[..i].join("/");
            if !d.is_empty() {
                implied.insert(d);
            }
        }
    }
    let conflicts: Vec<FsProblem> = implied
        .iter()
        .filter(|d| names.contains(d.as_str()) && !dirs.contains(d.as_str()))
        .map(|d| FsProblem::Conflict(d.clone()))
        .collect();
    if !conflicts.is_empty() {
        return conflicts;
    }
    let backslashes: Vec<FsProblem> = dirs
        .iter()
        .filter(|d| d.contains('\\'))
        .map(|d| FsProblem::BackslashDir(d.to_string()))
        .collect();
    if !backslashes.is_empty() {
        return backslashes;
    }
    implied
        .iter()
        .filter(|d| !names.contains(d.as_str()))
        .map(|d| FsProblem::MissingDir(d.clone()))
        .collect()
}

/// Runs a `scripts` command.
pub async fn scripts(app: &mut App, cmd: ScriptsCmd) -> CliResult {
    let ScriptsCmd::Verifyfs(a) = cmd;
    let p = pithos(app, None, None).await?;
    let c = &p.client;
    let objects: Vec<(String, bool)> = c
        .list_objects_in(&a.container, ListObjectsOptions::default())
        .await
        .map_err(|e| container_error(&a.container, e))?
        .into_iter()
        .filter_map(Listing::into_item)
        .map(|o| {
            let dir = is_dir(o.content_type.as_deref());
            (o.name, dir)
        })
        .collect();
    let problems = verify_fs(&objects);
    let Some(first) = problems.first() else {
        note(&format!(
            "Container {}: directory structure OK",
            a.container
        ));
        return Ok(());
    };
    let (what, fix_flag, fixing) = match first {
        FsProblem::Conflict(_) => (
            "object(s) named like a directory other objects are in",
            "--fix-conflicts",
            a.fix_conflicts,
        ),
        FsProblem::BackslashDir(_) => (
            "directory object(s) with \\ in their names",
            "--fix-dir-names",
            a.fix_dir_names,
        ),
        FsProblem::MissingDir(_) => (
            "missing directory object(s)",
            "--fix-missing-dirs",
            a.fix_missing_dirs,
        ),
    };
    let list: Vec<String> = problems
        .iter()
        .map(|p| match p {
            FsProblem::Conflict(n) | FsProblem::BackslashDir(n) | FsProblem::MissingDir(n) => {
                format!("/{}/{n}", a.container)
            }
        })
        .collect();
    if !fixing {
        return Err(CliError::value(format!(
            "Container {}: {} {what}",
            a.container,
            problems.len()
        ))
        .details(list.iter().map(|l| format!("  {l}")))
        .hint(
            "To fix them",
            format!("kamaki scripts verifyfs {} {fix_flag}", a.container),
        ));
    }
    let stamp = dates::format_dmy(dates::now() as f64)
        .replace([' ', ':'], "_")
        .replace('-', "_");
    for problem in &problems {
        let loc = |n: &str| Location {
            account: None,
            container: a.container.clone(),
            path: n.to_string(),
        };
        match problem {
            FsProblem::Conflict(n) => {
                let to = format!("{n}_orig_{stamp}");
                if !a.yes && !ask(&format!("Rename /{}/{n} to {to} ?", a.container)) {
                    continue;
                }
                c.move_object(&a.container, n, &a.container, &to, &CopyOptions::default())
                    .await
                    .map_err(|e| object_error(&loc(n), e))?;
                note(&format!("renamed /{}/{n} to {to}", a.container));
            }
            FsProblem::BackslashDir(n) => {
                let to = n.replace('\\', "/");
                if !a.yes && !ask(&format!("Rename /{}/{n} to {to} ?", a.container)) {
                    continue;
                }
                c.move_object(&a.container, n, &a.container, &to, &CopyOptions::default())
                    .await
                    .map_err(|e| object_error(&loc(n), e))?;
                note(&format!("renamed /{}/{n} to {to}", a.container));
            }
            FsProblem::MissingDir(n) => {
                if !a.yes && !ask(&format!("Create directory /{}/{n} ?", a.container)) {
                    continue;
                }
                c.create_directory(&a.container, n)
                    .await
                    .map_err(|e| object_error(&loc(n), e))?;
                note(&format!("mkdir /{}/{n}", a.container));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod verify_tests {
    use super::*;

    #[test]
    fn categories_in_order() {
        let o = |n: &str, d: bool| (n.to_string(), d);
        assert_eq!(
            verify_fs(&[o("a", false), o("a/b", false), o("x\\y", true)]),
            vec![FsProblem::Conflict("a".into())]
        );
        assert_eq!(
            verify_fs(&[o("a", true), o("a/b", false), o("x\\y", true)]),
            vec![FsProblem::BackslashDir("x\\y".into())]
        );
        assert_eq!(
            verify_fs(&[o("a/b/c", false), o("a", true)]),
            vec![FsProblem::MissingDir("a/b".into())]
        );
        assert!(verify_fs(&[o("a", true), o("a/b", false)]).is_empty());
    }
}
