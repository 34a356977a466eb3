//! The Pithos block protocol against a small in-memory Pithos (a stateful
//! wiremock responder): hashmap upload with the 409 missing-blocks round
//! trip, and hashmap download with per-block checks and version pinning.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use kamaki_core::{CountingProgress, ErrorKind, Progress};
use kamaki_synnefo::pithos::{
    DownloadOptions, PithosClient, Preconditions, UploadOptions, UploadSource,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const B: usize = 4096;
const ACCT: &str = "2f6e9a7c-0000-4000-8000-000000000001";
const CONT: &str = "pithos";

// ---------------------------------------------------------------------------
// an independent implementation of the hashing rules, for the fake server

fn sha(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

fn block_hash(block: &[u8]) -> String {
    let end = block.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    hex::encode(sha(&block[..end]))
}

fn empty_hash() -> String {
    hex::encode(sha(b""))
}

fn merkle(hashes: &[String]) -> String {
    if hashes.is_empty() {
        return empty_hash();
    }
    if hashes.len() == 1 {
        return hashes[0].clone();
    }
    let mut level: Vec<Vec<u8>> = hashes.iter().map(|h| hex::decode(h).unwrap()).collect();
    let mut width = 2;
    while width < level.len() {
        width *= 2;
    }
    level.resize(width, vec![0u8; 32]);
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| sha(&[p[0].clone(), p[1].clone()].concat()))
            .collect();
    }
    hex::encode(&level[0])
}

// ---------------------------------------------------------------------------
// the fake server

#[derive(Clone, Debug)]
struct Version {
    id: u64,
    bytes: u64,
    hashes: Vec<String>,
    content_type: String,
    headers: Vec<(String, String)>,
}

impl Version {
    fn etag(&self) -> String {
        merkle(&self.hashes)
    }
}

#[derive(Clone, Debug)]
struct Logged {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
    body_len: usize,
}

#[derive(Default)]
struct State {
    /// hash → the block without its trailing zeros
    blocks: HashMap<String, Vec<u8>>,
    /// object name → versions, latest last
    objects: HashMap<String, Vec<Version>>,
    next_version: u64,
    log: Vec<Logged>,
    /// a block hash whose data is served corrupted
    corrupt: Option<String>,
    /// content written as a new version right after the next hashmap GET
    replace_after_hashmap: Option<Vec<u8>>,
    /// block uploads answer a wrong hash
    lie_about_hashes: bool,
    /// block uploads are accepted but dropped
    drop_blocks: bool,
    /// object GETs ignore `version` (a server without old versions)
    ignore_version: bool,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<State>>);

impl Fake {
    fn store_blocks(st: &mut State, data: &[u8]) -> Vec<String> {
        data.chunks(B)
            .map(|c| {
                let h = block_hash(c);
                let end = c.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                st.blocks.insert(h.clone(), c[..end].to_vec());
                h
            })
            .collect()
    }

    /// Stores an object directly (as another client would).
    fn put(&self, name: &str, data: &[u8]) -> u64 {
        let mut st = self.0.lock().unwrap();
        let mut hashes = Fake::store_blocks(&mut st, data);
        if hashes.is_empty() {
            hashes.push(empty_hash());
        }
        st.next_version += 1;
        let v = Version {
            id: st.next_version,
            bytes: data.len() as u64,
            hashes,
            content_type: "application/octet-stream".into(),
            headers: Vec::new(),
        };
        let id = v.id;
        st.objects.entry(name.to_string()).or_default().push(v);
        id
    }

    /// Adds a block to the store without any object.
    fn seed_block(&self, data: &[u8]) {
        let mut st = self.0.lock().unwrap();
        Fake::store_blocks(&mut st, data);
    }

    fn content(st: &State, v: &Version) -> Vec<u8> {
        let mut out = Vec::new();
        for h in &v.hashes {
            let mut block = st.blocks.get(h).cloned().unwrap_or_default();
            block.resize(B, 0);
            out.extend_from_slice(&block);
        }
        out.truncate(v.bytes as usize);
        out
    }

    fn latest(&self, name: &str) -> Option<Version> {
        self.0
            .lock()
            .unwrap()
            .objects
            .get(name)
            .and_then(|v| v.last().cloned())
    }

    fn log(&self) -> Vec<Logged> {
        self.0.lock().unwrap().log.clone()
    }

    fn count(&self, method: &str, pred: impl Fn(&Logged) -> bool) -> usize {
        self.log()
            .iter()
            .filter(|l| l.method == method && pred(l))
            .count()
    }

    fn set(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.0.lock().unwrap());
    }
}

fn has_flag(query: &str, flag: &str) -> bool {
    query
        .split('&')
        .any(|p| p == flag || p.starts_with(&format!("{flag}=")))
}

fn param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|p| p.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

fn fault(code: u16, name: &str, msg: &str) -> ResponseTemplate {
    ResponseTemplate::new(code)
        .set_body_json(json!({name: {"code": code, "message": msg, "details": ""}}))
}

fn object_response(t: ResponseTemplate, v: &Version) -> ResponseTemplate {
    let mut t = t
        .insert_header("ETag", v.etag().as_str())
        .insert_header("X-Object-Hash", v.etag().as_str())
        .insert_header("X-Object-Version", v.id.to_string().as_str())
        .insert_header("X-Object-UUID", "8f1b0d0e-1111-4222-8333-444455556666")
        .insert_header("Last-Modified", "Mon, 01 Jan 2018 10:00:00 GMT");
    for (k, val) in &v.headers {
        t = t.insert_header(k.as_str(), val.as_str());
    }
    t
}

impl Respond for Fake {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap();
        let query = req.url.query().unwrap_or("").to_string();
        let headers: HashMap<String, String> = req
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        st.log.push(Logged {
            method: req.method.to_string(),
            path: req.url.path().to_string(),
            query: query.clone(),
            headers: headers.clone(),
            body_len: req.body.len(),
        });
        if headers.get("x-auth-token").map(String::as_str) != Some("tok") {
            return fault(401, "unauthorized", "Missing or invalid token");
        }
        let prefix = format!("/v1/{ACCT}/");
        let Some(rest) = req.url.path().strip_prefix(&prefix) else {
            return fault(404, "itemNotFound", "No such account");
        };
        let (cont, obj) = match rest.split_once('/') {
            Some((c, o)) => (c.to_string(), Some(kamaki_core::decode_percent(o))),
            None => (rest.to_string(), None),
        };
        if cont != CONT {
            return fault(404, "itemNotFound", "Container does not exist");
        }
        let method = req.method.as_str();
        match (method, obj) {
            ("HEAD", None) => ResponseTemplate::new(204)
                .insert_header("X-Container-Block-Size", B.to_string().as_str())
                .insert_header("X-Container-Block-Hash", "sha256")
                .insert_header(
                    "X-Container-Object-Count",
                    st.objects.len().to_string().as_str(),
                ),
            ("POST", None) => {
                if !has_flag(&query, "update") {
                    return fault(400, "badRequest", "block uploads must carry update");
                }
                if headers.get("content-type").map(String::as_str)
                    != Some("application/octet-stream")
                {
                    return fault(400, "badRequest", "not a block upload");
                }
                let hashes = if st.drop_blocks {
                    req.body.chunks(B).map(block_hash).collect()
                } else {
                    Fake::store_blocks(&mut st, &req.body)
                };
                let hashes: Vec<String> = if st.lie_about_hashes {
                    hashes.iter().map(|_| "0".repeat(64)).collect()
                } else {
                    hashes
                };
                ResponseTemplate::new(202).set_body_json(hashes)
            }
            ("PUT", Some(name)) if has_flag(&query, "hashmap") => {
                let Some(ct) = headers.get("content-type").cloned() else {
                    return fault(411, "lengthRequired", "Missing Content-Type header");
                };
                if headers.get("if-none-match").map(String::as_str) == Some("*")
                    && st.objects.contains_key(&name)
                {
                    return fault(412, "preconditionFailed", "Object exists");
                }
                let body: Value = match serde_json::from_slice(&req.body) {
                    Ok(v) => v,
                    Err(_) => return fault(400, "badRequest", "Invalid hashmap"),
                };
                let bytes = body["bytes"].as_u64().unwrap();
                let mut hashes: Vec<String> = body["hashes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap().to_string())
                    .collect();
                let want = (bytes as usize).div_ceil(B);
                if hashes.len() != want && !(bytes == 0 && hashes.len() <= 1) {
                    return fault(400, "badRequest", "Invalid hashmap: wrong number of hashes");
                }
                let empty = empty_hash();
                let mut seen = HashSet::new();
                let missing: Vec<String> = hashes
                    .iter()
                    .filter(|h| **h != empty && !st.blocks.contains_key(*h))
                    .filter(|h| seen.insert((*h).clone()))
                    .cloned()
                    .collect();
                if !missing.is_empty() {
                    return ResponseTemplate::new(409).set_body_json(missing);
                }
                if hashes.is_empty() {
                    hashes.push(empty);
                }
                st.next_version += 1;
                let mut extra = Vec::new();
                for k in [
                    "content-disposition",
                    "content-encoding",
                    "x-object-sharing",
                    "x-object-public",
                ] {
                    if let Some(v) = headers.get(k) {
                        extra.push((k.to_string(), v.clone()));
                    }
                }
                let v = Version {
                    id: st.next_version,
                    bytes,
                    hashes,
                    content_type: ct,
                    headers: extra,
                };
                let resp = object_response(ResponseTemplate::new(201), &v);
                st.objects.entry(name).or_default().push(v);
                resp
            }
            ("GET", Some(name)) => {
                let Some(versions) = st.objects.get(&name).cloned() else {
                    return fault(404, "itemNotFound", "Object does not exist");
                };
                let wanted = if st.ignore_version {
                    None
                } else {
                    param(&query, "version").map(|v| v.parse::<u64>().unwrap())
                };
                let v = match wanted {
                    Some(id) => match versions.iter().find(|v| v.id == id) {
                        Some(v) => v.clone(),
                        None => return fault(404, "itemNotFound", "Version does not exist"),
                    },
                    None => versions.last().cloned().unwrap(),
                };
                if let Some(m) = headers.get("if-match") {
                    if m != "*"
                        && !m
                            .split(',')
                            .any(|e| e.trim().eq_ignore_ascii_case(&v.etag()))
                    {
                        return fault(412, "preconditionFailed", "Resource ETag does not match");
                    }
                }
                if let Some(m) = headers.get("if-none-match") {
                    if m.split(',')
                        .any(|e| e.trim().eq_ignore_ascii_case(&v.etag()))
                    {
                        return ResponseTemplate::new(304).insert_header("ETag", v.etag().as_str());
                    }
                }
                if has_flag(&query, "hashmap") {
                    let resp = object_response(ResponseTemplate::new(200), &v)
                        .insert_header("Content-Type", "application/json; charset=utf-8")
                        .set_body_json(json!({
                            "block_size": B, "block_hash": "sha256", "bytes": v.bytes,
                            "hashes": v.hashes, "x_server_note": "fake"
                        }));
                    if let Some(data) = st.replace_after_hashmap.take() {
                        drop(st);
                        self.put(&name, &data);
                    }
                    return resp;
                }
                let mut content = Fake::content(&st, &v);
                if let Some(bad) = &st.corrupt {
                    for (i, h) in v.hashes.iter().enumerate() {
                        if h == bad && i * B < content.len() {
                            content[i * B] ^= 0xff;
                        }
                    }
                }
                let resp = object_response(ResponseTemplate::new(200), &v)
                    .insert_header("Content-Type", v.content_type.as_str());
                match headers.get("range") {
                    None => resp.set_body_bytes(content),
                    Some(r) => {
                        let spec = r.strip_prefix("bytes=").unwrap();
                        let (a, b) = spec.split_once('-').unwrap();
                        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
                        if a > b || b >= content.len() {
                            return fault(
                                416,
                                "rangeNotSatisfiable",
                                "Requested range exceeds object limits",
                            );
                        }
                        object_response(ResponseTemplate::new(206), &v)
                            .insert_header(
                                "Content-Range",
                                format!("bytes {a}-{b}/{}", content.len()).as_str(),
                            )
                            .set_body_bytes(content[a..=b].to_vec())
                    }
                }
            }
            _ => fault(405, "notAllowed", "Method not allowed"),
        }
    }
}

async fn setup() -> (MockServer, Fake, PithosClient) {
    let mock = MockServer::start().await;
    let fake = Fake::default();
    Mock::given(any())
        .respond_with(fake.clone())
        .mount(&mock)
        .await;
    let client = PithosClient::new(&mock.uri(), "tok", Some(ACCT), Some(CONT)).unwrap();
    (mock, fake, client)
}

/// `len` pseudo-random bytes (no two blocks alike, no zero bytes).
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut j: u64 = 0;
    while out.len() < len {
        let chunk = sha(&[&[seed][..], &j.to_le_bytes()[..]].concat());
        out.extend(chunk.into_iter().map(|b| b | 1));
        j += 1;
    }
    out.truncate(len);
    out
}

/// Uploads `data`, checks the stored object, downloads it both ways and
/// checks the bytes.
async fn round_trip(p: &PithosClient, fake: &Fake, name: &str, data: &[u8]) {
    let up = p
        .upload_object(
            CONT,
            name,
            UploadSource::bytes(data.to_vec()),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    let stored = fake.latest(name).unwrap();
    assert_eq!(up.bytes, data.len() as u64, "{name}");
    assert_eq!(stored.bytes, data.len() as u64, "{name}");
    assert_eq!(
        up.object_hash,
        stored.etag(),
        "{name}: local Merkle = server ETag"
    );
    assert_eq!(up.etag.as_deref(), Some(stored.etag().as_str()));
    assert_eq!(up.version, Some(stored.id));
    assert_eq!(up.blocks, data.len().div_ceil(B), "{name}");

    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("out.bin");
    let got = p
        .download_object(CONT, name, &dst, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&dst).unwrap(),
        data,
        "{name}: download_object"
    );
    assert_eq!(got.bytes, data.len() as u64);
    assert_eq!(got.object_hash.as_deref(), Some(stored.etag().as_str()));
    // only the destination is left: the temporary file was renamed
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let mut out = Vec::new();
    p.download_to_writer(CONT, name, &mut out, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(out, data, "{name}: download_to_writer");
}

// ---------------------------------------------------------------------------
// sizes

#[tokio::test]
async fn empty_object() {
    let (_m, fake, p) = setup().await;
    round_trip(&p, &fake, "empty", b"").await;
    // the upload sent {"bytes": 0, "hashes": []} and no block
    let put = fake.log().into_iter().find(|l| l.method == "PUT").unwrap();
    assert_eq!(put.body_len, r#"{"bytes":0,"hashes":[]}"#.len());
    assert_eq!(fake.count("POST", |_| true), 0);
    // the server shows one hash for the empty object; no block is fetched
    let hm = p.get_object_hashmap(CONT, "empty").await.unwrap();
    assert_eq!((hm.bytes, hm.hashes.len()), (0, 1));
    assert_eq!(hm.blocks().count(), 0);
    assert_eq!(fake.count("GET", |l| !has_flag(&l.query, "hashmap")), 0);
}

#[tokio::test]
async fn one_byte() {
    let (_m, fake, p) = setup().await;
    round_trip(&p, &fake, "one", b"x").await;
    assert_eq!(fake.latest("one").unwrap().hashes, [block_hash(b"x")]);
}

#[tokio::test]
async fn exactly_one_block() {
    let (_m, fake, p) = setup().await;
    let data = pattern(B, 3);
    round_trip(&p, &fake, "block", &data).await;
    assert_eq!(fake.latest("block").unwrap().hashes.len(), 1);
}

#[tokio::test]
async fn block_boundary_minus_and_plus_one() {
    let (_m, fake, p) = setup().await;
    round_trip(&p, &fake, "minus", &pattern(B - 1, 5)).await;
    round_trip(&p, &fake, "plus", &pattern(B + 1, 7)).await;
    round_trip(&p, &fake, "two", &pattern(2 * B, 9)).await;
    assert_eq!(fake.latest("minus").unwrap().hashes.len(), 1);
    assert_eq!(fake.latest("plus").unwrap().hashes.len(), 2);
    assert_eq!(fake.latest("two").unwrap().hashes.len(), 2);
}

#[tokio::test]
async fn trailing_zero_bytes() {
    let (_m, fake, p) = setup().await;
    // "abc" then zeros: a short-content first block, a whole zero block and a zero tail
    let mut data = b"abc".to_vec();
    data.resize(2 * B + 100, 0);
    round_trip(&p, &fake, "zeros", &data).await;
    let stored = fake.latest("zeros").unwrap();
    assert_eq!(
        stored.hashes,
        [block_hash(b"abc"), empty_hash(), empty_hash()]
    );
    // a zero-only object: nothing but the empty hash, nothing to fetch
    let zeros = vec![0u8; B + 1];
    round_trip(&p, &fake, "allzero", &zeros).await;
    assert_eq!(
        fake.count("GET", |l| l.path.ends_with("/allzero")
            && !has_flag(&l.query, "hashmap")),
        0
    );
    // leading zeros are kept
    let mut lead = vec![0u8; 10];
    lead.extend_from_slice(b"data");
    round_trip(&p, &fake, "lead", &lead).await;
}

#[tokio::test]
async fn repeated_identical_blocks_are_all_written() {
    let (_m, fake, p) = setup().await;
    let a = vec![b'A'; B];
    let bb = vec![b'B'; B];
    let mut data = [a.clone(), bb.clone(), a.clone(), a.clone()].concat();
    data.extend_from_slice(b"A"); // a short block with its own hash
    round_trip(&p, &fake, "rep", &data).await;
    // the upload sent each distinct block once
    let posts: Vec<Logged> = fake
        .log()
        .into_iter()
        .filter(|l| l.method == "POST")
        .collect();
    assert_eq!(posts.len(), 3);
    // download_object fetched each distinct block once (3), to_writer per position (5)
    let block_gets: Vec<Logged> = fake
        .log()
        .into_iter()
        .filter(|l| l.method == "GET" && !has_flag(&l.query, "hashmap"))
        .collect();
    assert_eq!(block_gets.len(), 3 + 5);
}

#[tokio::test]
async fn repeated_short_and_full_blocks_with_the_same_hash() {
    // "abc" padded to a full block and a last block "abc" share one hash but not one length
    let (_m, fake, p) = setup().await;
    let mut data = b"abc".to_vec();
    data.resize(B, 0);
    data.extend_from_slice(b"abc");
    round_trip(&p, &fake, "samehash", &data).await;
    let stored = fake.latest("samehash").unwrap();
    assert_eq!(stored.hashes[0], stored.hashes[1]);
}

// ---------------------------------------------------------------------------
// the 409 round trip

#[tokio::test]
async fn missing_blocks_round_trip() {
    let (_m, fake, p) = setup().await;
    let data = pattern(3 * B + 10, 11);
    // the server already holds the second block (deduplication)
    fake.seed_block(&data[B..2 * B]);
    let progress = Arc::new(CountingProgress::default());
    let hashing = Arc::new(CountingProgress::default());
    let opts = UploadOptions {
        content_type: Some("text/plain".into()),
        content_disposition: Some("attachment; filename=\"x.txt\"".into()),
        upload_progress: Some(progress.clone()),
        hash_progress: Some(hashing.clone()),
        ..Default::default()
    };
    let up = p
        .upload_object(CONT, "big.txt", UploadSource::bytes(data.clone()), &opts)
        .await
        .unwrap();
    assert_eq!((up.blocks, up.uploaded_blocks), (4, 3));
    assert_eq!(up.uploaded_bytes, (2 * B + 10) as u64);
    assert_eq!(progress.done(), (2 * B + 10) as u64);
    assert_eq!(hashing.done(), data.len() as u64);
    assert_eq!(hashing.total(), Some(data.len() as u64));

    let log = fake.log();
    let methods: Vec<&str> = log.iter().map(|l| l.method.as_str()).collect();
    assert_eq!(methods, ["HEAD", "PUT", "POST", "POST", "POST", "PUT"]);
    let puts: Vec<&Logged> = log.iter().filter(|l| l.method == "PUT").collect();
    for put in &puts {
        assert_eq!(put.query, "hashmap&format=json");
        assert_eq!(put.headers["content-type"], "text/plain");
        // kamaki lost this header on the final PUT
        assert_eq!(
            put.headers["content-disposition"],
            "attachment; filename=\"x.txt\""
        );
    }
    for post in log.iter().filter(|l| l.method == "POST") {
        assert_eq!(post.path, format!("/v1/{ACCT}/{CONT}"));
        assert_eq!(post.query, "update&format=json");
        assert!(post.body_len == B || post.body_len == 10);
    }
    assert_eq!(
        fake.latest("big.txt").unwrap().headers,
        [(
            "content-disposition".to_string(),
            "attachment; filename=\"x.txt\"".to_string()
        )]
    );

    // the same content again: every block is there, one PUT, no POST
    let before = fake.log().len();
    let again = p
        .upload_object(
            CONT,
            "copy.txt",
            UploadSource::bytes(data),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(again.uploaded_blocks, 0);
    let methods: Vec<String> = fake.log()[before..]
        .iter()
        .map(|l| l.method.clone())
        .collect();
    assert_eq!(methods, ["HEAD", "PUT"]);
}

#[tokio::test]
async fn upload_from_file_and_reader_with_known_block_size() {
    let (_m, fake, p) = setup().await;
    let data = pattern(5 * B + 123, 13);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.bin");
    std::fs::write(&src, &data).unwrap();
    let opts = UploadOptions {
        block_size: Some(B as u64),
        block_hash: Some("sha256".into()),
        concurrency: 3,
        ..Default::default()
    };
    let up = p
        .container(CONT)
        .upload_object("from-file", UploadSource::path(&src), &opts)
        .await
        .unwrap();
    assert_eq!(up.uploaded_blocks, 6);
    // no container HEAD when the block size and hash are given
    assert_eq!(fake.count("HEAD", |_| true), 0);

    // a reader of unknown length is spooled (and the spool removed)
    let spool = tempfile::tempdir().unwrap();
    let mut more = data.clone();
    more.extend_from_slice(b"tail");
    let opts = UploadOptions {
        spool_dir: Some(spool.path().to_path_buf()),
        ..Default::default()
    };
    let reader = std::io::Cursor::new(more.clone());
    let up = p
        .upload_object(
            CONT,
            "from-reader",
            UploadSource::reader(reader, None),
            &opts,
        )
        .await
        .unwrap();
    assert_eq!(up.bytes, more.len() as u64);
    // the first five blocks were known already, the last one changed
    assert_eq!(up.uploaded_blocks, 1);
    assert_eq!(std::fs::read_dir(spool.path()).unwrap().count(), 0);
    let mut out = Vec::new();
    p.download_to_writer(CONT, "from-reader", &mut out, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(out, more);

    // a reader shorter than announced fails
    let reader = std::io::Cursor::new(b"abc".to_vec());
    let err = p
        .upload_object(CONT, "short", UploadSource::reader(reader, Some(10)), &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(fake.latest("short").is_none());
}

#[tokio::test]
async fn create_only_and_failures() {
    let (_m, fake, p) = setup().await;
    fake.put("exists", b"old");
    let err = p
        .upload_object(
            CONT,
            "exists",
            UploadSource::bytes(&b"new"[..]),
            &UploadOptions {
                if_not_exist: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 412);
    assert_eq!(err.fault_name.as_deref(), Some("preconditionFailed"));

    // the server stores something else than what was sent
    fake.set(|s| s.lie_about_hashes = true);
    let err = p
        .upload_object(
            CONT,
            "lie",
            UploadSource::bytes(pattern(10, 1)),
            &UploadOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
    assert!(err.message.contains("expected"), "{}", err.message);

    // blocks never stick: bounded rounds, then a 409 error
    fake.set(|s| {
        s.lie_about_hashes = false;
        s.drop_blocks = true;
    });
    let err = p
        .upload_object(
            CONT,
            "lost",
            UploadSource::bytes(pattern(10, 2)),
            &UploadOptions {
                max_rounds: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 409);
    assert_eq!(fake.count("PUT", |l| l.path.ends_with("/lost")), 3);

    // a missing container
    let err = p
        .upload_object(
            "nope",
            "x",
            UploadSource::bytes(&b"x"[..]),
            &UploadOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn cross_account_upload_posts_blocks_to_the_target() {
    let (mock, fake, p) = setup().await;
    // the client works on another account; its requests all go there
    let mine = PithosClient::new(&mock.uri(), "tok", Some("someone-else"), None).unwrap();
    let target = mine.for_account(ACCT);
    target
        .upload_object(
            CONT,
            "gift",
            UploadSource::bytes(pattern(B + 1, 4)),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    assert!(fake
        .log()
        .iter()
        .all(|l| l.path.starts_with(&format!("/v1/{ACCT}/"))));
    assert!(fake.latest("gift").is_some());
    drop(p);
}

// ---------------------------------------------------------------------------
// downloads

#[tokio::test]
async fn download_pins_version_and_etag() {
    let (_m, fake, p) = setup().await;
    let old = pattern(2 * B + 7, 21);
    let v1 = fake.put("moving", &old);
    // the object changes right after the hashmap was read
    fake.set(|s| s.replace_after_hashmap = Some(pattern(2 * B + 7, 99)));
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("moving.bin");
    let got = p
        .download_object(CONT, "moving", &dst, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&dst).unwrap(),
        old,
        "blocks of one version only"
    );
    assert_eq!(got.version, Some(v1));
    let etag = merkle(&fake.0.lock().unwrap().objects["moving"][0].hashes);
    for l in fake
        .log()
        .iter()
        .filter(|l| l.method == "GET" && !has_flag(&l.query, "hashmap"))
    {
        assert_eq!(l.query, format!("version={v1}"));
        assert_eq!(l.headers["if-match"], etag);
        assert!(l.headers["range"].starts_with("bytes="));
    }
}

#[tokio::test]
async fn download_fails_cleanly_when_the_object_changes_without_versions() {
    let (_m, fake, p) = setup().await;
    fake.put("moving", &pattern(2 * B, 1));
    fake.set(|s| {
        s.ignore_version = true;
        s.replace_after_hashmap = Some(pattern(2 * B, 2));
    });
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("out");
    std::fs::write(&dst, b"previous").unwrap();
    let err = p
        .download_object(CONT, "moving", &dst, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status, 412);
    assert!(
        err.details.iter().any(|d| d.contains("changed")),
        "{:?}",
        err.details
    );
    // the destination is untouched and no temporary file is left
    assert_eq!(std::fs::read(&dst).unwrap(), b"previous");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn corrupt_block_is_detected() {
    let (_m, fake, p) = setup().await;
    let data = pattern(3 * B, 8);
    fake.put("bad", &data);
    fake.set(|s| s.corrupt = Some(block_hash(&data[B..2 * B])));
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("bad");
    let err = p
        .download_object(CONT, "bad", &dst, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
    assert!(err.message.contains("corrupt"), "{}", err.message);
    assert!(!dst.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let mut out = Vec::new();
    let err = p
        .download_to_writer(CONT, "bad", &mut out, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
}

#[tokio::test]
async fn concurrent_download_resume_and_progress() {
    let (_m, fake, p) = setup().await;
    let data = pattern(7 * B + 99, 31);
    fake.put("many", &data);
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("many");
    let progress = Arc::new(CountingProgress::default());
    let got = p
        .download_object(
            CONT,
            "many",
            &dst,
            &DownloadOptions {
                concurrency: 4,
                progress: Some(progress.clone() as Arc<dyn Progress>),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), data);
    assert_eq!((got.blocks, got.fetched_blocks), (8, 8));
    assert_eq!(progress.done(), data.len() as u64);
    assert_eq!(progress.total(), Some(data.len() as u64));

    // damage the local copy's third block and cut the tail: resume refetches only those
    let mut local = data.clone();
    local[2 * B + 5] ^= 0x55;
    local.truncate(6 * B);
    std::fs::write(&dst, &local).unwrap();
    let got = p
        .download_object(
            CONT,
            "many",
            &dst,
            &DownloadOptions {
                resume: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), data);
    assert_eq!((got.reused_blocks, got.fetched_blocks), (5, 3));

    // ordered streaming with concurrency
    let mut out = Vec::new();
    p.download_to_writer(
        CONT,
        "many",
        &mut out,
        &DownloadOptions {
            concurrency: 3,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(out, data);
}

#[tokio::test]
async fn download_conditions_and_versions() {
    let (_m, fake, p) = setup().await;
    let v1 = fake.put("doc", b"first version");
    fake.put("doc", b"second version, longer");
    let etag2 = fake.latest("doc").unwrap().etag();
    // an If-None-Match hit downloads nothing
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("doc");
    let got = p
        .download_object(
            CONT,
            "doc",
            &dst,
            &DownloadOptions {
                conditions: Preconditions {
                    if_none_match: Some(etag2),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(got.not_modified);
    assert!(!dst.exists());
    // an old version
    let got = p
        .download_object(
            CONT,
            "doc",
            &dst,
            &DownloadOptions {
                version: Some(v1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(got.version, Some(v1));
    assert_eq!(std::fs::read(&dst).unwrap(), b"first version");
    // a missing object
    let err = p
        .download_object(CONT, "nothing", &dst, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    // a directory as destination is refused before anything is sent
    let before = fake.log().len();
    let err = p
        .download_object(CONT, "doc", dir.path(), &DownloadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert_eq!(fake.log().len(), before);
}

#[tokio::test]
async fn hashmap_of_the_fake_matches_the_library() {
    let (_m, fake, p) = setup().await;
    let data = pattern(3 * B + 1, 77);
    fake.put("m", &data);
    let hm = p.get_object_hashmap(CONT, "m").await.unwrap();
    assert_eq!(hm.block_size, B as u64);
    assert_eq!(hm.extra["x_server_note"], "fake");
    assert_eq!(hm.merkle().unwrap(), fake.latest("m").unwrap().etag());
    assert_eq!(hm.info.object_hash, Some(fake.latest("m").unwrap().etag()));
    let sha256 = kamaki_synnefo::pithos::hashmap::block_hasher("sha256").unwrap();
    let local = kamaki_synnefo::pithos::hashmap::hash_blocks(sha256.as_ref(), &data, B);
    assert_eq!(local, hm.hashes);
}
