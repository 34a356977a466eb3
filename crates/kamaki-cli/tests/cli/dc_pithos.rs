//! `file`, `container`, `sharer`, `group`, `scripts` against kamaki-devcloud.

use std::path::Path;

use crate::cli::common::{stderr, stdout};
use crate::cli::dc::*;

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, data).unwrap();
    p.to_string_lossy().into_owned()
}

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn containers() {
    let c = start().await;
    insta::assert_snapshot!("container_list", c.ok(&["container", "list"]).await);
    c.ok(&[
        "container",
        "create",
        "work",
        "--versioning",
        "auto",
        "--limit",
        "1MiB",
        "--meta",
        "team=red",
        "--project-id",
        USER,
    ])
    .await;
    let err = c.fails(&["container", "create", "work"]).await;
    assert!(
        err.starts_with("Container \"work\" already exists"),
        "{err}"
    );
    assert_eq!(
        c.ok(&["container", "info", "work", "--size-limit"]).await,
        "x-container-policy-quota: 1MiB\n"
    );
    assert_eq!(
        c.ok(&["container", "info", "work", "--size-limit", "-b"])
            .await,
        "x-container-policy-quota: 1048576\n"
    );
    assert_eq!(
        c.ok(&["container", "info", "work", "--metadata"]).await,
        "team: red\n"
    );
    let info = c.json(&["container", "info", "work"]).await;
    assert_eq!(info["x-container-policy-versioning"], "auto");
    assert_eq!(
        c.ok(&[
            "container",
            "modify",
            "work",
            "--size-limit",
            "0",
            "--versioning",
            "none",
            "--metadata-add",
            "a=b",
            "--metadata-del",
            "team",
        ])
        .await,
        "a: b\nnew size limit: unlimited\nnew versioning scheme: none\n"
    );
    c.ok(&["container", "reassign", "work", "--project-id", USER])
        .await;
    // a quota is checked before uploading
    c.ok(&["container", "modify", "work", "--size-limit", "10KB"])
        .await;
    let big = write(c.env.dir.path(), "big.bin", &pattern(20_000, 1));
    let err = c.fails(&["file", "upload", &big, "/work"]).await;
    assert!(err.contains("the upload needs 19.53KiB"), "{err}");
    c.ok(&["file", "create", "/work/empty"]).await;
    let listed = c.ok(&["container", "list", "work"]).await;
    assert_eq!(listed, "       0B empty\n");
    let recursive = c.ok(&["container", "list", "-r", "--name", "work"]).await;
    assert_eq!(recursive, "work (0B, 1 objects)\n           0B empty\n");
    let err = c.fails(&["container", "delete", "work", "--yes"]).await;
    assert!(err.contains("kamaki container delete work -r"), "{err}");
    // declined prompts change nothing
    let out = c
        .run_with_input(&["container", "empty", "work"], "n\n")
        .await;
    assert!(stderr(&out).contains("Aborted"));
    c.ok(&["container", "empty", "work", "--yes"]).await;
    c.ok(&["container", "delete", "work", "--yes"]).await;
    let err = c.fails(&["container", "info", "work"]).await;
    insta::assert_snapshot!("container_missing", err);
}

#[tokio::test(flavor = "multi_thread")]
async fn file_transfers() {
    let c = start().await;
    let dir = c.env.dir.path();
    // 9 MiB: three 4 MiB blocks
    let data = pattern(9 * 1024 * 1024 + 123, 7);
    let local = write(dir, "data.bin", &data);
    c.ok(&["file", "mkdir", "/pithos/docs"]).await;
    let out = c.run(&["file", "upload", &local, "/pithos/docs"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("{local} --> /pithos/docs/data.bin\nUpload completed\n")
    );
    let err = c.fails(&["file", "upload", &local, "/pithos/docs"]).await;
    assert_eq!(
        err,
        "Object /pithos/docs/data.bin already exists\n|  use -f to overwrite / resume\n"
    );
    c.ok(&["file", "upload", &local, "/pithos/docs", "-f"])
        .await;
    assert_eq!(
        c.ok(&["file", "list", "/pithos/docs"]).await,
        "     9MiB docs/data.bin\n"
    );
    // download, compared byte for byte
    let got = dir.join("got.bin");
    let got_s = got.to_string_lossy().into_owned();
    c.ok(&["file", "download", "/pithos/docs/data.bin", &got_s])
        .await;
    assert!(std::fs::read(&got).unwrap() == data);
    let err = c
        .fails(&["file", "download", "/pithos/docs/data.bin", &got_s])
        .await;
    assert!(err.contains("already exists"), "{err}");
    // resume a damaged copy: only the bad block is fetched again
    let mut damaged = data.clone();
    damaged[5_000_000] ^= 0xff;
    std::fs::write(&got, &damaged).unwrap();
    c.ok(&[
        "file",
        "download",
        "/pithos/docs/data.bin",
        &got_s,
        "--resume",
    ])
    .await;
    assert!(std::fs::read(&got).unwrap() == data);
    // ranges
    let out = c
        .run(&["file", "cat", "/pithos/docs/data.bin", "--range", "0-9,-3"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let mut want = data[..10].to_vec();
    want.extend_from_slice(&data[data.len() - 3..]);
    assert_eq!(out.stdout, want);
    let part = dir.join("part.bin");
    c.ok(&[
        "file",
        "download",
        "/pithos/docs/data.bin",
        &part.to_string_lossy(),
        "--range",
        "4194300-4194310",
    ])
    .await;
    assert_eq!(std::fs::read(&part).unwrap(), data[4_194_300..=4_194_310]);
    // info views
    let info = c.json(&["file", "info", "/pithos/docs/data.bin"]).await;
    assert_eq!(info["content-length"], "9437307");
    let hashmap = c
        .json(&["file", "info", "/pithos/docs/data.bin", "--hashmap"])
        .await;
    assert_eq!(hashmap["hashes"].as_array().unwrap().len(), 3);
    assert_eq!(hashmap["block_size"], 4_194_304);
    // directories: upload -r, download -r
    write(dir, "tree/a.txt", b"alpha\n");
    write(dir, "tree/sub/b.txt", b"beta\n");
    std::fs::create_dir_all(dir.join("tree/empty")).unwrap();
    let tree = dir.join("tree").to_string_lossy().into_owned();
    let err = c.fails(&["file", "upload", &tree]).await;
    assert!(err.contains("is a directory"), "{err}");
    let out = c.run(&["file", "upload", &tree, "/pithos", "-r"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let notes = stderr(&out);
    assert!(notes.starts_with("remote: mkdir /pithos/tree\n"), "{notes}");
    assert!(
        notes.contains(&format!("{tree}/a.txt --> /pithos/tree/a.txt\n")),
        "{notes}"
    );
    assert!(notes.contains("Upload completed: 2 created"), "{notes}");
    insta::assert_snapshot!(
        "file_list_tree",
        c.ok(&["file", "list", "/pithos/tree"]).await
    );
    insta::assert_snapshot!(
        "file_list_tree_long",
        redact(&c.ok(&["file", "list", "/pithos/tree/sub", "-l"]).await)
    );
    insta::assert_snapshot!(
        "file_list_tree_json",
        redact(
            &c.ok(&[
                "file",
                "list",
                "/pithos/tree/sub",
                "--output-format",
                "json"
            ])
            .await
        )
    );
    let err = c.fails(&["file", "upload", &tree, "/pithos", "-r"]).await;
    assert!(err.contains("already exists"), "{err}");
    let back = dir.join("back");
    let back_s = back.to_string_lossy().into_owned();
    let err = c
        .fails(&["file", "download", "/pithos/tree", &back_s])
        .await;
    assert!(err.contains("is a directory"), "{err}");
    c.ok(&["file", "download", "/pithos/tree", &back_s, "-r"])
        .await;
    assert_eq!(std::fs::read(back.join("a.txt")).unwrap(), b"alpha\n");
    assert_eq!(std::fs::read(back.join("sub/b.txt")).unwrap(), b"beta\n");
    assert!(back.join("empty").is_dir());
    // empty listing, file that is not a directory
    let out = c.run(&["file", "list", "/images"]).await;
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "No objects in /images\n");
    let err = c.fails(&["file", "list", "/pithos/tree/a.txt"]).await;
    assert!(
        err.starts_with("/pithos/tree/a.txt is not a directory"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn file_editing_copying_and_sharing() {
    let c = start().await;
    let dir = c.env.dir.path();
    let note = write(dir, "note.txt", b"hello world\n");
    let out = c
        .run(&["file", "upload", &note, "/pithos/note.txt", "--public"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("http://{}", &c.base()[7..])));
    let info = c.json(&["file", "info", "/pithos/note.txt"]).await;
    assert_eq!(info["content-type"], "text/plain");
    c.ok(&["file", "unpublish", "/pithos/note.txt"]).await;
    let url = c.ok(&["file", "publish", "note.txt"]).await;
    assert!(url.contains("/public/"), "{url}");
    // append, truncate, overwrite
    let more = write(dir, "more.txt", b"MORE");
    c.ok(&["file", "append", &more, "/pithos/note.txt"]).await;
    assert_eq!(
        c.ok(&["file", "cat", "/pithos/note.txt"]).await,
        "hello world\nMORE"
    );
    c.ok(&["file", "truncate", "/pithos/note.txt", "--size", "5"])
        .await;
    assert_eq!(c.ok(&["file", "cat", "/pithos/note.txt"]).await, "hello");
    let err = c
        .fails(&["file", "truncate", "/pithos/note.txt", "--size", "50"])
        .await;
    assert!(err.contains("only shrinks"), "{err}");
    c.ok(&[
        "file",
        "overwrite",
        &more,
        "/pithos/note.txt",
        "--from",
        "1",
        "--to",
        "3",
    ])
    .await;
    assert_eq!(c.ok(&["file", "cat", "/pithos/note.txt"]).await, "hMORo");
    // versions of a versioned container
    let versions = c
        .ok(&["file", "info", "/pithos/note.txt", "--object-versions"])
        .await;
    assert!(versions.lines().count() >= 8, "{versions}");
    insta::assert_snapshot!(
        "file_versions_first",
        redact(&versions.lines().take(2).collect::<Vec<_>>().join("\n"))
    );
    // metadata and permissions
    assert_eq!(
        c.ok(&[
            "file",
            "modify",
            "/pithos/note.txt",
            "--metadata-add",
            "k=v",
            "--metadata-add",
            "x=y",
            "--metadata-del",
            "x",
        ])
        .await,
        "k: v\n"
    );
    assert_eq!(
        c.ok(&[
            "file",
            "modify",
            "/pithos/note.txt",
            "--read-permission",
            "friend@example.org"
        ])
        .await,
        format!("read: {FRIEND}\n")
    );
    let sharing = c
        .ok(&["file", "info", "/pithos/note.txt", "--sharing"])
        .await;
    assert!(
        sharing.starts_with(&format!("read: {FRIEND}\npublic url: http://")),
        "{sharing}"
    );
    assert_eq!(
        c.ok(&["file", "info", "/pithos/note.txt", "--metadata"])
            .await,
        "k: v\n"
    );
    // copy and move
    let out = c
        .run(&["file", "copy", "/pithos/note.txt", "/images/copy.txt"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "  copy /pithos/note.txt  -->  /images/copy.txt\n"
    );
    let err = c
        .fails(&["file", "copy", "/pithos/note.txt", "/images/copy.txt"])
        .await;
    assert!(
        err.starts_with("Object /images/copy.txt already exists"),
        "{err}"
    );
    c.ok(&[
        "file",
        "copy",
        "/pithos/note.txt",
        "/images/copy.txt",
        "-f",
        "--content-type",
        "text/x-note",
    ])
    .await;
    assert_eq!(
        c.json(&["file", "info", "/images/copy.txt"]).await["content-type"],
        "text/x-note"
    );
    c.ok(&["file", "mkdir", "/pithos/d"]).await;
    c.ok(&["file", "copy", "/pithos/note.txt", "/pithos/d/"])
        .await;
    c.ok(&["file", "copy", "/pithos/note.txt", "/pithos/d/n2.txt"])
        .await;
    let out = c
        .run(&["file", "move", "/pithos/d", "/images/e", "-r"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "  move /pithos/d  -->  /images/e\n  move /pithos/d/n2.txt  -->  /images/e/n2.txt\n  move /pithos/d/note.txt  -->  /images/e/note.txt\n"
    );
    assert_eq!(
        c.ok(&["file", "list", "/images/e"]).await,
        "       5B e/n2.txt\n       5B e/note.txt\n"
    );
    // the friend sees what is shared with it
    let friend = c
        .env
        .read_cfg()
        .replace("devcloud-token-0", "devcloud-token-1");
    c.env.write_cfg(&friend);
    assert_eq!(
        c.ok(&["sharer", "list"]).await,
        format!("{USER} user@example.org\n")
    );
    let sharers = c.json(&["sharer", "list", "-l"]).await;
    assert_eq!(sharers[0]["name"], USER);
    assert_eq!(
        c.ok(&["file", "cat", "/pithos/note.txt", "-A", "user@example.org"])
            .await,
        "hMORo"
    );
    let err = c
        .fails(&[
            "file",
            "modify",
            "/pithos/note.txt",
            "-A",
            USER,
            "--metadata-add",
            "a=b",
        ])
        .await;
    assert!(err.contains("403"), "{err}");
    let back = c
        .env
        .read_cfg()
        .replace("devcloud-token-1", "devcloud-token-0");
    c.env.write_cfg(&back);
    c.ok(&["file", "modify", "/pithos/note.txt", "--no-permissions"])
        .await;
    c.ok(&["file", "unpublish", "/pithos/note.txt"]).await;
    assert_eq!(
        c.ok(&["file", "info", "/pithos/note.txt", "--sharing"])
            .await,
        ""
    );
    // sharer info
    let me = c.json(&["sharer", "info"]).await;
    assert!(me["x-account-container-count"].is_string(), "{me}");
    // delete
    let out = c
        .run_with_input(&["file", "delete", "/images/e"], "y\n")
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("they are kept (use -r"),
        "{}",
        stderr(&out)
    );
    c.ok(&["file", "delete", "/images/e/n2.txt", "--yes"]).await;
    let out = c
        .run_with_input(&["file", "delete", "/images/copy.txt"], "n\n")
        .await;
    assert_eq!(stdout(&out), "Delete /images/copy.txt ? [y/N]: ");
    assert_eq!(stderr(&out), "Aborted\n");
    c.ok(&["file", "delete", "/images", "--yes"]).await;
    assert_eq!(c.ok(&["file", "list", "/images"]).await, "");
    let err = c.fails(&["file", "info", "/pithos/nothing"]).await;
    insta::assert_snapshot!("file_missing", err);
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_and_verifyfs() {
    let c = start().await;
    assert_eq!(c.ok(&["group", "list"]).await, "");
    assert_eq!(
        c.ok(&[
            "group",
            "create",
            "team",
            "--username",
            "friend@example.org",
            "--uuid",
            USER
        ])
        .await,
        format!("team: {USER},{FRIEND}\n")
    );
    let groups = c.json(&["group", "list"]).await;
    assert_eq!(groups["team"][1], FRIEND);
    let out = c
        .run_with_input(&["group", "create", "team", "--uuid", USER], "n\n")
        .await;
    assert!(stderr(&out).contains("Aborted"));
    assert_eq!(c.ok(&["group", "delete", "team"]).await, "");
    // a broken tree: a file where a directory is implied, missing dirs
    c.ok(&["file", "create", "/pithos/a"]).await;
    c.ok(&["file", "create", "/pithos/a/b/c"]).await;
    let err = c.fails(&["scripts", "verifyfs", "pithos"]).await;
    assert!(
        err.starts_with("Container pithos: 1 object(s) named like a directory"),
        "{err}"
    );
    assert!(
        err.contains("kamaki scripts verifyfs pithos --fix-conflicts"),
        "{err}"
    );
    c.ok(&["scripts", "verifyfs", "pithos", "--fix-conflicts", "--yes"])
        .await;
    let err = c.fails(&["scripts", "verifyfs", "pithos"]).await;
    assert!(
        err.starts_with("Container pithos: 2 missing directory object(s)"),
        "{err}"
    );
    c.ok(&[
        "scripts",
        "verifyfs",
        "pithos",
        "--fix-missing-dirs",
        "--yes",
    ])
    .await;
    let out = c.run(&["scripts", "verifyfs", "pithos"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Container pithos: directory structure OK\n");
}
