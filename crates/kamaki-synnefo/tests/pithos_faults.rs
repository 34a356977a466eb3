//! The Pithos transfer engine against a faulty server: a small Pithos (and
//! plain Swift) speaking HTTP/1.1 on a raw socket, so that it can drop a
//! connection in the middle of a block, answer 500 once, corrupt a block,
//! go slow, go down, or hang. Blocks are 64 KiB to keep the tests fast.
//!
//! Covered: uploads that complete byte-exact through every fault, dedup
//! (only missing blocks move), streams of unknown length, bounded
//! concurrency; downloads that retry, verify, pin the version, resume after
//! a stop fetching only the missing blocks, never touch the previous file
//! until complete, ranges, in-order streaming with repeated and zero blocks
//! and empty objects; the plain PUT / SLO / plain GET fallback on a store
//! that is not Pithos; directory sync both ways.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kamaki_core::ErrorKind;
use kamaki_synnefo::pithos::{
    ByteRange, DownloadOptions, PithosClient, SyncAction, SyncOptions, UploadMode, UploadOptions,
    UploadSource, PARTIAL_SUFFIX,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

const B: usize = 64 * 1024;
const ACCT: &str = "acct";
const CONT: &str = "cont";

// ---------------------------------------------------------------------------
// hashing rules (independent of the library's) and MD5 for the Swift side

fn block_hash(block: &[u8]) -> String {
    let end = block.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    hex::encode(Sha256::digest(&block[..end]))
}

fn empty_hash() -> String {
    hex::encode(Sha256::digest(b""))
}

fn merkle(hashes: &[String]) -> String {
    match hashes.len() {
        0 => return empty_hash(),
        1 => return hashes[0].clone(),
        _ => {}
    }
    let mut level: Vec<Vec<u8>> = hashes.iter().map(|h| hex::decode(h).unwrap()).collect();
    level.resize(level.len().next_power_of_two(), vec![0u8; 32]);
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| Sha256::digest([p[0].clone(), p[1].clone()].concat()).to_vec())
            .collect();
    }
    hex::encode(&level[0])
}

/// RFC 1321 MD5 (Swift's ETag).
fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4294967296.0) as u32)
        .collect();
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_le_bytes());
    let (mut a0, mut b0, mut c0, mut d0) =
        (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = chunk
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    let mut out = Vec::new();
    for v in [a0, b0, c0, d0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    hex::encode(out)
}

#[test]
fn md5_vectors() {
    assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(md5_hex(&[b'a'; 1000]), "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

/// Deterministic, incompressible-looking test data.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------
// the faulty server

/// Faults to inject; each counter is used up one request at a time.
#[derive(Default)]
struct Faults {
    /// Block POSTs that lose their connection halfway through the body.
    drop_posts: usize,
    /// Block POSTs answered 500.
    fail_posts: usize,
    /// Hashmap PUTs answered 500.
    fail_puts: usize,
    /// Hashmap GETs answered 500.
    fail_hashmaps: usize,
    /// Ranged GETs whose answer stops halfway.
    drop_gets: usize,
    /// Ranged GETs answered 500.
    fail_gets: usize,
    /// Ranged GETs answered with one byte changed.
    corrupt_gets: usize,
    /// Ranged GETs answered with the body cut short (a clean but short answer).
    short_gets: usize,
    /// After this many ranged GETs, every further one loses its connection
    /// at once (the server is down for blocks).
    gets_before_down: Option<usize>,
    /// After this many ranged GETs, every further one never gets an answer.
    gets_before_hang: Option<usize>,
    /// A pause before every answer.
    delay: Duration,
}

#[derive(Clone, Debug)]
struct Logged {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
}

#[derive(Clone, Debug)]
struct Version {
    id: u64,
    bytes: u64,
    hashes: Vec<String>,
    content_type: String,
}

#[derive(Default)]
struct State {
    pithos: bool,
    blocks: HashMap<String, Vec<u8>>,
    objects: BTreeMap<(String, String), Vec<Version>>,
    /// Swift objects: content, MD5, content type.
    plain: BTreeMap<(String, String), (Vec<u8>, String, String)>,
    next_version: u64,
    log: Vec<Logged>,
    faults: Faults,
    ranged_gets: usize,
    posts_in_flight: usize,
    max_posts_in_flight: usize,
    gets_in_flight: usize,
    max_gets_in_flight: usize,
}

impl State {
    fn current(&self, cont: &str, name: &str) -> Option<&Version> {
        self.objects
            .get(&(cont.to_string(), name.to_string()))
            .and_then(|v| v.last())
    }

    fn content(&self, v: &Version) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, h) in v.hashes.iter().enumerate() {
            let len = (v.bytes as usize - i * B).min(B);
            let stored = self.blocks.get(h).cloned().unwrap_or_default();
            let mut block = stored;
            block.resize(len, 0);
            out.extend_from_slice(&block);
        }
        out.truncate(v.bytes as usize);
        out
    }

    fn store_blocks(&mut self, data: &[u8]) -> Vec<String> {
        data.chunks(B)
            .map(|c| {
                let h = block_hash(c);
                let end = c.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                self.blocks.insert(h.clone(), c[..end].to_vec());
                h
            })
            .collect()
    }

    fn create(
        &mut self,
        cont: &str,
        name: &str,
        bytes: u64,
        hashes: Vec<String>,
        ctype: &str,
    ) -> Version {
        self.next_version += 1;
        let v = Version {
            id: self.next_version,
            bytes,
            hashes,
            content_type: ctype.to_string(),
        };
        self.objects
            .entry((cont.to_string(), name.to_string()))
            .or_default()
            .push(v.clone());
        v
    }
}

struct Fake {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
}

impl Request {
    fn q(&self, key: &str) -> Option<String> {
        self.query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == key).then(|| decode(v))
        })
    }

    fn has(&self, key: &str) -> bool {
        self.q(key).is_some()
    }

    fn h(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn resp(status: u16) -> Response {
    Response {
        status,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

impl Response {
    fn header(mut self, k: &str, v: impl ToString) -> Self {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }

    fn json(self, v: &Value) -> Self {
        let mut r = self.header("Content-Type", "application/json; charset=utf-8");
        r.body = v.to_string().into_bytes();
        r
    }

    fn body(mut self, b: Vec<u8>) -> Self {
        self.body = b;
        self
    }
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What happens to a request once its head is read.
enum Fate {
    Serve,
    /// Read half the body, then close.
    DropMidBody,
    /// Close at once.
    Close,
    /// Never answer.
    Hang,
}

/// What happens to an answer.
#[derive(PartialEq)]
enum Delivery {
    Whole,
    /// Send the head and half the body, then close.
    Half,
    /// Flip a byte.
    Corrupt,
    /// Claim fewer bytes than a block (a clean, short answer).
    Short,
    /// Answer 500 instead.
    Error,
}

impl Fake {
    async fn start(pithos: bool) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            pithos,
            ..Default::default()
        }));
        let st = state.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, st.clone()));
            }
        });
        Fake { addr, state }
    }

    fn client(&self) -> PithosClient {
        PithosClient::new(&format!("http://{}/v1", self.addr), "tok", Some(ACCT), None).unwrap()
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    fn put(&self, name: &str, content: &[u8]) -> u64 {
        self.with(|s| {
            let hashes = s.store_blocks(content);
            s.create(
                CONT,
                name,
                content.len() as u64,
                hashes,
                "application/octet-stream",
            )
            .id
        })
    }

    fn content(&self, name: &str) -> Option<Vec<u8>> {
        self.with(|s| s.current(CONT, name).cloned().map(|v| s.content(&v)))
    }

    fn count(&self, method: &str, pred: impl Fn(&Logged) -> bool) -> usize {
        self.with(|s| {
            s.log
                .iter()
                .filter(|l| l.method == method && pred(l))
                .count()
        })
    }

    fn block_posts(&self) -> usize {
        self.count("POST", |l| l.query.contains("update"))
    }

    fn ranged_gets(&self) -> usize {
        self.count("GET", |l| l.headers.contains_key("range"))
    }

    fn clear_log(&self) {
        self.with(|s| s.log.clear());
    }
}

async fn read_body(
    rd: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    req: &Request,
) -> Option<Vec<u8>> {
    if req
        .h("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        let mut body = Vec::new();
        loop {
            let mut line = String::new();
            rd.read_line(&mut line).await.ok()?;
            let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
            if size == 0 {
                let mut end = String::new();
                rd.read_line(&mut end).await.ok()?;
                return Some(body);
            }
            let mut chunk = vec![0u8; size];
            rd.read_exact(&mut chunk).await.ok()?;
            body.extend_from_slice(&chunk);
            let mut crlf = [0u8; 2];
            rd.read_exact(&mut crlf).await.ok()?;
        }
    }
    let len: usize = req
        .h("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    rd.read_exact(&mut body).await.ok()?;
    Some(body)
}

async fn serve(sock: TcpStream, state: Arc<Mutex<State>>) {
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    loop {
        // the head
        let mut line = String::new();
        if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.trim_end().split(' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if rd.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (target.clone(), String::new()),
        };
        let req = Request {
            method,
            path,
            query,
            headers,
        };
        let is_post = req.method == "POST" && req.has("update");
        let is_ranged = req.method == "GET" && req.headers.contains_key("range");
        let (fate, delivery, delay) = {
            let mut s = state.lock().unwrap();
            s.log.push(Logged {
                method: req.method.clone(),
                path: req.path.clone(),
                query: req.query.clone(),
                headers: req.headers.clone(),
            });
            let f = &mut s.faults;
            let delay = f.delay;
            let mut fate = Fate::Serve;
            let mut delivery = Delivery::Whole;
            if is_post && f.drop_posts > 0 {
                f.drop_posts -= 1;
                fate = Fate::DropMidBody;
            }
            if is_ranged {
                s.ranged_gets += 1;
                let n = s.ranged_gets;
                let f = &mut s.faults;
                if f.gets_before_down.is_some_and(|k| n > k) {
                    fate = Fate::Close;
                } else if f.gets_before_hang.is_some_and(|k| n > k) {
                    fate = Fate::Hang;
                } else if f.drop_gets > 0 {
                    f.drop_gets -= 1;
                    delivery = Delivery::Half;
                } else if f.fail_gets > 0 {
                    f.fail_gets -= 1;
                    delivery = Delivery::Error;
                } else if f.corrupt_gets > 0 {
                    f.corrupt_gets -= 1;
                    delivery = Delivery::Corrupt;
                } else if f.short_gets > 0 {
                    f.short_gets -= 1;
                    delivery = Delivery::Short;
                }
            }
            if is_post {
                s.posts_in_flight += 1;
                s.max_posts_in_flight = s.max_posts_in_flight.max(s.posts_in_flight);
            }
            if is_ranged {
                s.gets_in_flight += 1;
                s.max_gets_in_flight = s.max_gets_in_flight.max(s.gets_in_flight);
            }
            (fate, delivery, delay)
        };
        let done = |state: &Arc<Mutex<State>>| {
            let mut s = state.lock().unwrap();
            if is_post {
                s.posts_in_flight -= 1;
            }
            if is_ranged {
                s.gets_in_flight -= 1;
            }
        };
        match fate {
            Fate::Serve => {}
            Fate::Close => {
                done(&state);
                return;
            }
            Fate::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Fate::DropMidBody => {
                let len: usize = req
                    .h("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut half = vec![0u8; len / 2];
                let _ = rd.read_exact(&mut half).await;
                done(&state);
                return;
            }
        }
        let Some(body) = read_body(&mut rd, &req).await else {
            done(&state);
            return;
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let mut r = route(&state, &req, body);
        if delivery == Delivery::Error {
            r = resp(500).body(b"boom".to_vec());
        }
        if delivery == Delivery::Corrupt && r.status == 206 && !r.body.is_empty() {
            r.body[0] ^= 0xff;
        }
        if delivery == Delivery::Short && r.status == 206 && r.body.len() > 1 {
            r.body.truncate(r.body.len() / 2);
            for h in r.headers.iter_mut() {
                if h.0.eq_ignore_ascii_case("content-range") {
                    h.1 = "bytes 0-0/1".to_string();
                }
            }
        }
        let ok = write_response(&mut wr, &req, &r, delivery == Delivery::Half).await;
        done(&state);
        if !ok || delivery == Delivery::Half {
            return;
        }
    }
}

async fn write_response(wr: &mut OwnedWriteHalf, req: &Request, r: &Response, half: bool) -> bool {
    let mut head = format!("HTTP/1.1 {} X\r\n", r.status);
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", r.body.len()));
    if wr.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    if req.method == "HEAD" {
        return wr.flush().await.is_ok();
    }
    let body = if half {
        &r.body[..r.body.len() / 2]
    } else {
        &r.body[..]
    };
    wr.write_all(body).await.is_ok() && wr.flush().await.is_ok()
}

fn listing_entry(s: &State, cont: &str, name: &str) -> Option<Value> {
    if s.pithos {
        let v = s.current(cont, name)?;
        Some(
            json!({"name": name, "bytes": v.bytes, "hash": "", "x_object_hash": merkle(&v.hashes),
                    "content_type": v.content_type, "x_object_version": v.id}),
        )
    } else {
        let (data, md5, ctype) = s.plain.get(&(cont.to_string(), name.to_string()))?;
        Some(json!({"name": name, "bytes": data.len(), "hash": md5, "content_type": ctype}))
    }
}

fn route(state: &Arc<Mutex<State>>, req: &Request, body: Vec<u8>) -> Response {
    let mut s = state.lock().unwrap();
    let Some(rest) = req.path.strip_prefix(&format!("/v1/{ACCT}/")) else {
        return resp(404);
    };
    let (cont, name) = match rest.split_once('/') {
        Some((c, o)) => (decode(c), decode(o)),
        None => (decode(rest), String::new()),
    };
    let m = req.method.as_str();
    if name.is_empty() {
        return match m {
            "HEAD" => {
                let r = resp(204).header("X-Container-Object-Count", 0);
                if s.pithos {
                    r.header("X-Container-Block-Size", B)
                        .header("X-Container-Block-Hash", "sha256")
                } else {
                    r
                }
            }
            "PUT" => resp(201),
            "POST" if req.has("update") => {
                if s.faults.fail_posts > 0 {
                    s.faults.fail_posts -= 1;
                    return resp(500).body(b"boom".to_vec());
                }
                let hashes = s.store_blocks(&body);
                resp(202).json(&json!(hashes))
            }
            "GET" => {
                let prefix = req.q("prefix").unwrap_or_default();
                let marker = req.q("marker").unwrap_or_default();
                let limit: usize = req
                    .q("limit")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(10_000);
                let names: Vec<String> = if s.pithos {
                    s.objects
                        .iter()
                        .filter(|((c, _), v)| *c == cont && !v.is_empty())
                        .map(|((_, n), _)| n.clone())
                        .collect()
                } else {
                    s.plain
                        .keys()
                        .filter(|(c, _)| *c == cont)
                        .map(|(_, n)| n.clone())
                        .collect()
                };
                let items: Vec<Value> = names
                    .iter()
                    .filter(|n| n.starts_with(&prefix) && n.as_str() > marker.as_str())
                    .take(limit)
                    .filter_map(|n| listing_entry(&s, &cont, n))
                    .collect();
                if items.is_empty() {
                    return resp(204);
                }
                resp(200).json(&Value::Array(items))
            }
            _ => resp(405),
        };
    }
    let key = (cont.clone(), name.clone());
    match m {
        "PUT" if req.has("hashmap") => {
            if s.faults.fail_puts > 0 {
                s.faults.fail_puts -= 1;
                return resp(500).body(b"boom".to_vec());
            }
            let v: Value = serde_json::from_slice(&body).unwrap();
            let bytes = v["bytes"].as_u64().unwrap();
            let hashes: Vec<String> = v["hashes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_ascii_lowercase())
                .collect();
            let want = (bytes as usize).div_ceil(B);
            if !(hashes.len() == want || (bytes == 0 && hashes.len() <= 1)) {
                return resp(400);
            }
            let empty = empty_hash();
            let mut missing: Vec<String> = Vec::new();
            for h in &hashes {
                if *h != empty && !s.blocks.contains_key(h) && !missing.contains(h) {
                    missing.push(h.clone());
                }
            }
            if !missing.is_empty() {
                return resp(409).json(&json!(missing));
            }
            let hashes = if bytes == 0 { vec![empty] } else { hashes };
            let ctype = req
                .h("content-type")
                .unwrap_or("application/octet-stream")
                .to_string();
            let v = s.create(&cont, &name, bytes, hashes, &ctype);
            resp(201)
                .header("ETag", merkle(&v.hashes))
                .header("X-Object-Version", v.id)
        }
        "PUT" if !s.pithos && req.q("multipart-manifest").as_deref() == Some("put") => {
            let entries: Vec<Value> = serde_json::from_slice(&body).unwrap();
            let mut content = Vec::new();
            let mut etags = String::new();
            for e in &entries {
                let p = e["path"].as_str().unwrap().trim_start_matches('/');
                let (sc, sn) = p.split_once('/').unwrap();
                let (seg, md5, _) = s.plain.get(&(sc.to_string(), sn.to_string())).unwrap();
                assert_eq!(md5, e["etag"].as_str().unwrap());
                content.extend_from_slice(seg);
                etags.push_str(md5);
            }
            let etag = md5_hex(etags.as_bytes());
            let ctype = req
                .h("content-type")
                .unwrap_or("application/octet-stream")
                .to_string();
            s.plain.insert(key, (content, etag.clone(), ctype));
            resp(201).header("ETag", format!("\"{etag}\""))
        }
        "PUT" => {
            let ctype = req
                .h("content-type")
                .unwrap_or("application/octet-stream")
                .to_string();
            if s.pithos {
                let hashes = s.store_blocks(&body);
                let v = s.create(&cont, &name, body.len() as u64, hashes, &ctype);
                resp(201)
                    .header("ETag", merkle(&v.hashes))
                    .header("X-Object-Version", v.id)
            } else {
                let md5 = md5_hex(&body);
                s.plain.insert(key, (body, md5.clone(), ctype));
                resp(201).header("ETag", md5)
            }
        }
        "DELETE" => {
            let gone = if s.pithos {
                s.objects.remove(&key).is_some()
            } else {
                s.plain.remove(&key).is_some()
            };
            resp(if gone { 204 } else { 404 })
        }
        "GET" | "HEAD" if !s.pithos => {
            let Some((data, md5, ctype)) = s.plain.get(&key).cloned() else {
                return resp(404);
            };
            // Swift ignores ?hashmap: the answer is the object itself
            resp(200)
                .header("ETag", md5)
                .header("Content-Type", ctype)
                .body(data)
        }
        "GET" | "HEAD" => {
            let versions = s.objects.get(&key).cloned().unwrap_or_default();
            let v = match req.q("version") {
                Some(id) => versions.iter().find(|v| v.id.to_string() == id).cloned(),
                None => versions.last().cloned(),
            };
            let Some(v) = v else {
                return resp(404);
            };
            let etag = merkle(&v.hashes);
            let r = resp(200)
                .header("ETag", &etag)
                .header("X-Object-Hash", &etag)
                .header("X-Object-Version", v.id)
                .header("X-Object-UUID", "uuid-1");
            if req.has("hashmap") {
                if s.faults.fail_hashmaps > 0 {
                    s.faults.fail_hashmaps -= 1;
                    return resp(500);
                }
                return r.json(&json!({"block_size": B, "block_hash": "sha256",
                                      "bytes": v.bytes, "hashes": v.hashes}));
            }
            if let Some(m) = req.h("if-match") {
                if m != etag {
                    return resp(412);
                }
            }
            let content = s.content(&v);
            let r = r.header("Content-Type", &v.content_type);
            match req.h("range") {
                Some(range) => {
                    let (a, b) = range
                        .trim_start_matches("bytes=")
                        .split_once('-')
                        .map(|(a, b)| (a.parse::<usize>().unwrap(), b.parse::<usize>().unwrap()))
                        .unwrap();
                    let b = b.min(content.len() - 1);
                    let mut r = r.body(content[a..=b].to_vec());
                    r.status = 206;
                    r.header("Content-Range", format!("bytes {a}-{b}/{}", content.len()))
                }
                None => r.body(content),
            }
        }
        _ => resp(405),
    }
}

// ---------------------------------------------------------------------------
// helpers

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn fast(concurrency: usize) -> UploadOptions {
    UploadOptions {
        concurrency,
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// uploads

#[tokio::test]
async fn upload_survives_a_connection_dropped_mid_block() {
    let fake = Fake::start(true).await;
    let dir = temp();
    let content = data(10 * B + 123, 1);
    let path = dir.path().join("f.bin");
    std::fs::write(&path, &content).unwrap();
    fake.with(|s| s.faults.drop_posts = 3);
    let out = fake
        .client()
        .upload_object(CONT, "f.bin", UploadSource::path(&path), &fast(4))
        .await
        .unwrap();
    assert_eq!(out.mode, UploadMode::Hashmap);
    assert_eq!((out.blocks, out.uploaded_blocks), (11, 11));
    assert!(out.retries >= 3, "{out:?}");
    assert_eq!(fake.content("f.bin").unwrap(), content);
    assert_eq!(
        out.object_hash,
        merkle(&content.chunks(B).map(block_hash).collect::<Vec<_>>())
    );
}

#[tokio::test]
async fn upload_survives_500_once_on_blocks_and_on_the_hashmap_put() {
    let fake = Fake::start(true).await;
    let content = data(5 * B, 2);
    fake.with(|s| {
        s.faults.fail_posts = 1;
        s.faults.fail_puts = 1;
    });
    let out = fake
        .client()
        .upload_object(CONT, "o", UploadSource::bytes(content.clone()), &fast(2))
        .await
        .unwrap();
    assert_eq!(out.retries, 2);
    assert_eq!(out.uploaded_blocks, 5);
    assert_eq!(fake.content("o").unwrap(), content);
    // a 500 that does not go away ends the upload with the server's status
    fake.with(|s| s.faults.fail_puts = 100);
    let err = fake
        .client()
        .upload_object(
            CONT,
            "o2",
            UploadSource::bytes(content),
            &UploadOptions {
                retries: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 500);
    assert!(
        err.details.iter().any(|d| d.contains("failed 2 times")),
        "{:?}",
        err.details
    );
}

#[tokio::test]
async fn upload_over_a_slow_server_completes_with_bounded_concurrency() {
    let fake = Fake::start(true).await;
    let content = data(12 * B + 7, 3);
    fake.with(|s| s.faults.delay = Duration::from_millis(40));
    let out = fake
        .client()
        .upload_object(
            CONT,
            "slow",
            UploadSource::bytes(content.clone()),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.uploaded_blocks, 13);
    assert_eq!(fake.content("slow").unwrap(), content);
    let max = fake.with(|s| s.max_posts_in_flight);
    assert!(
        (2..=5).contains(&max),
        "default concurrency is 5; saw {max} in flight"
    );
}

#[tokio::test]
async fn only_missing_blocks_move_and_an_unchanged_reupload_sends_none() {
    let fake = Fake::start(true).await;
    let dir = temp();
    let path = dir.path().join("f");
    let mut content = data(8 * B, 4);
    std::fs::write(&path, &content).unwrap();
    let p = fake.client();
    p.upload_object(CONT, "f", UploadSource::path(&path), &fast(3))
        .await
        .unwrap();
    fake.clear_log();
    let again = p
        .upload_object(CONT, "f", UploadSource::path(&path), &fast(3))
        .await
        .unwrap();
    assert_eq!((again.uploaded_blocks, again.uploaded_bytes), (0, 0));
    assert_eq!(fake.block_posts(), 0);
    // one block changes: one block moves
    content[5 * B + 10] ^= 1;
    std::fs::write(&path, &content).unwrap();
    fake.clear_log();
    let changed = p
        .upload_object(CONT, "f", UploadSource::path(&path), &fast(3))
        .await
        .unwrap();
    assert_eq!(
        (changed.uploaded_blocks, changed.uploaded_bytes),
        (1, B as u64)
    );
    assert_eq!(fake.block_posts(), 1);
    assert_eq!(fake.content("f").unwrap(), content);
    // the same content under another name: nothing moves (server-side dedup)
    let copy = p
        .upload_object(CONT, "copy", UploadSource::bytes(content.clone()), &fast(3))
        .await
        .unwrap();
    assert_eq!(copy.uploaded_blocks, 0);
}

#[tokio::test]
async fn upload_from_a_stream_of_unknown_length_is_spooled_and_cleaned_up() {
    let fake = Fake::start(true).await;
    let spool = temp();
    let content = data(6 * B + 5, 5);
    let reader = std::io::Cursor::new(content.clone());
    let opts = UploadOptions {
        spool_dir: Some(spool.path().to_path_buf()),
        ..fast(2)
    };
    let out = fake
        .client()
        .upload_object(CONT, "s", UploadSource::reader(reader, None), &opts)
        .await
        .unwrap();
    assert_eq!((out.bytes, out.blocks), (content.len() as u64, 7));
    assert_eq!(fake.content("s").unwrap(), content);
    assert_eq!(std::fs::read_dir(spool.path()).unwrap().count(), 0);
    // a stream shorter than announced is refused before anything is created
    let short = std::io::Cursor::new(vec![1u8; 100]);
    let err = fake
        .client()
        .upload_object(CONT, "short", UploadSource::reader(short, Some(200)), &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(fake.content("short").is_none());
}

#[tokio::test]
async fn empty_and_zero_filled_uploads() {
    let fake = Fake::start(true).await;
    let p = fake.client();
    let out = p
        .upload_object(CONT, "empty", UploadSource::bytes(Vec::new()), &fast(2))
        .await
        .unwrap();
    assert_eq!((out.bytes, out.blocks, out.uploaded_blocks), (0, 0, 0));
    assert_eq!(fake.content("empty").unwrap(), Vec::<u8>::new());
    let mut zeros = vec![0u8; 3 * B];
    zeros[B + 1] = 7;
    let out = p
        .upload_object(CONT, "zeros", UploadSource::bytes(zeros.clone()), &fast(2))
        .await
        .unwrap();
    // the all-zero blocks hash to H(""), which every Pithos has
    assert_eq!(out.uploaded_blocks, 1);
    assert_eq!(fake.content("zeros").unwrap(), zeros);
}

// ---------------------------------------------------------------------------
// downloads

#[tokio::test]
async fn download_survives_drops_500s_corrupt_and_short_blocks() {
    let fake = Fake::start(true).await;
    let content = data(9 * B + 99, 6);
    fake.put("d", &content);
    fake.with(|s| {
        s.faults.drop_gets = 2;
        s.faults.fail_gets = 1;
        s.faults.corrupt_gets = 1;
        s.faults.short_gets = 1;
        s.faults.fail_hashmaps = 1;
    });
    let dir = temp();
    let dst = dir.path().join("d");
    let out = fake
        .client()
        .download_object(
            CONT,
            "d",
            &dst,
            &DownloadOptions {
                concurrency: 3,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), content);
    assert!(out.verified);
    assert_eq!(out.fetched_blocks, 10);
    assert!(out.retries >= 6, "{out:?}");
    // nothing is left beside the file
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn every_block_request_is_pinned_to_the_version() {
    let fake = Fake::start(true).await;
    let content = data(3 * B, 7);
    let version = fake.put("v", &content);
    let dir = temp();
    fake.client()
        .download_object(CONT, "v", dir.path().join("v"), &DownloadOptions::default())
        .await
        .unwrap();
    let etag = merkle(&content.chunks(B).map(block_hash).collect::<Vec<_>>());
    let gets: Vec<Logged> = fake.with(|s| {
        s.log
            .iter()
            .filter(|l| l.headers.contains_key("range"))
            .cloned()
            .collect()
    });
    assert_eq!(gets.len(), 3);
    for g in gets {
        assert_eq!(g.headers.get("if-match"), Some(&etag));
        assert!(
            g.query.contains(&format!("version={version}")),
            "{}",
            g.query
        );
    }
}

#[tokio::test]
async fn a_download_stopped_midway_resumes_fetching_only_missing_blocks() {
    let fake = Fake::start(true).await;
    let content = data(10 * B + 1, 8);
    fake.put("big", &content);
    let dir = temp();
    let dst = dir.path().join("big");
    std::fs::write(&dst, b"the previous file").unwrap();
    let opts = DownloadOptions {
        concurrency: 1,
        retries: Some(1),
        ..Default::default()
    };
    // the server goes down after 4 blocks
    fake.with(|s| s.faults.gets_before_down = Some(4));
    let err = fake
        .client()
        .download_object(CONT, "big", &dst, &opts)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connection, "{err:?}");
    // the previous file is intact; the verified blocks wait beside it
    assert_eq!(std::fs::read(&dst).unwrap(), b"the previous file");
    let partial = dir.path().join(format!(".big{PARTIAL_SUFFIX}"));
    assert!(partial.exists());
    // back up: the second run fetches only the 7 missing blocks
    fake.with(|s| s.faults.gets_before_down = None);
    fake.clear_log();
    let out = fake
        .client()
        .download_object(CONT, "big", &dst, &opts)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), content);
    assert_eq!((out.reused_blocks, out.fetched_blocks), (4, 7));
    assert_eq!(fake.ranged_gets(), 7);
    assert!(!partial.exists());
}

#[tokio::test]
async fn a_download_cancelled_midway_resumes_too() {
    let fake = Fake::start(true).await;
    let content = data(6 * B, 9);
    fake.put("c", &content);
    let dir = temp();
    let dst = dir.path().join("c");
    let opts = DownloadOptions {
        concurrency: 1,
        ..Default::default()
    };
    fake.with(|s| s.faults.gets_before_hang = Some(3));
    let p = fake.client();
    let stopped = tokio::time::timeout(
        Duration::from_millis(700),
        p.download_object(CONT, "c", &dst, &opts),
    )
    .await;
    assert!(stopped.is_err(), "the download should hang on block 4");
    assert!(!dst.exists());
    fake.with(|s| s.faults.gets_before_hang = None);
    fake.clear_log();
    let out = p.download_object(CONT, "c", &dst, &opts).await.unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), content);
    assert_eq!((out.reused_blocks, out.fetched_blocks), (3, 3));
    assert_eq!(fake.ranged_gets(), 3);
}

#[tokio::test]
async fn a_failed_download_leaves_the_previous_file_and_no_partial_for_a_corrupt_object() {
    let fake = Fake::start(true).await;
    fake.put("bad", &data(3 * B, 10));
    fake.with(|s| s.faults.corrupt_gets = 100);
    let dir = temp();
    let dst = dir.path().join("bad");
    std::fs::write(&dst, b"keep me").unwrap();
    let err = fake
        .client()
        .download_object(
            CONT,
            "bad",
            &dst,
            &DownloadOptions {
                retries: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
    assert!(err.message.contains("corrupt"), "{}", err.message);
    assert_eq!(std::fs::read(&dst).unwrap(), b"keep me");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn resume_reuses_the_blocks_of_an_older_local_file() {
    let fake = Fake::start(true).await;
    let old = data(8 * B + 3, 11);
    let mut new = old.clone();
    new[2 * B] ^= 1;
    new.extend_from_slice(&data(B, 12)); // grows by a block
    fake.put("r", &new);
    let dir = temp();
    let dst = dir.path().join("r");
    std::fs::write(&dst, &old).unwrap();
    let out = fake
        .client()
        .download_object(
            CONT,
            "r",
            &dst,
            &DownloadOptions {
                resume: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), new);
    // block 2 changed; block 8 (was the short tail) and block 9 are new
    assert_eq!(out.fetched_blocks, 3, "{out:?}");
    assert_eq!(out.reused_blocks, 7);
    // again: the file is the object already; nothing is fetched or written
    fake.clear_log();
    let before = std::fs::metadata(&dst).unwrap().modified().unwrap();
    let out = fake
        .client()
        .download_object(
            CONT,
            "r",
            &dst,
            &DownloadOptions {
                resume: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((out.fetched_blocks, out.reused_blocks), (0, 10));
    assert_eq!(fake.ranged_gets(), 0);
    assert_eq!(std::fs::metadata(&dst).unwrap().modified().unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn ranges_are_written_from_the_start_of_the_destination() {
    let fake = Fake::start(true).await;
    let content = data(5 * B + 17, 13);
    fake.put("rg", &content);
    let dir = temp();
    let dst = dir.path().join("part");
    let p = fake.client();
    let cases = [
        (
            ByteRange::Span {
                start: 10,
                end: 2 * B as u64 + 5,
            },
            10..2 * B + 6,
        ),
        (ByteRange::From(4 * B as u64 + 1), 4 * B + 1..content.len()),
        (ByteRange::Last(100), content.len() - 100..content.len()),
        (ByteRange::Span { start: 3, end: 7 }, 3..8),
    ];
    for (range, want) in cases {
        let opts = DownloadOptions {
            range: Some(range),
            ..Default::default()
        };
        let out = p.download_object(CONT, "rg", &dst, &opts).await.unwrap();
        assert_eq!(
            std::fs::read(&dst).unwrap(),
            &content[want.clone()],
            "{range}"
        );
        assert_eq!(out.bytes, want.len() as u64);
        let mut buf = Vec::new();
        p.download_to_writer(CONT, "rg", &mut buf, &opts)
            .await
            .unwrap();
        assert_eq!(buf, &content[want], "{range}");
    }
    let err = p
        .download_object(
            CONT,
            "rg",
            &dst,
            &DownloadOptions {
                range: Some(ByteRange::From(content.len() as u64)),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, 416);
}

#[tokio::test]
async fn streaming_keeps_order_repeated_blocks_zero_blocks_and_empty_objects() {
    let fake = Fake::start(true).await;
    let a = data(B, 14);
    let b = data(B, 15);
    let mut content = [a.clone(), b, a.clone(), vec![0u8; B], a].concat();
    content.extend_from_slice(b"tail\0\0");
    fake.put("rep", &content);
    fake.put("empty", b"");
    let p = fake.client();
    fake.with(|s| s.faults.drop_gets = 1);
    let mut out = Vec::new();
    let got = p
        .download_to_writer(
            CONT,
            "rep",
            &mut out,
            &DownloadOptions {
                concurrency: 4,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(out, content);
    assert_eq!(got.fetched_blocks, 5); // the zero block is not fetched
                                       // a file download fetches each distinct block once
    let dir = temp();
    fake.clear_log();
    let got = p
        .download_object(
            CONT,
            "rep",
            dir.path().join("rep"),
            &DownloadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.path().join("rep")).unwrap(), content);
    assert_eq!((got.fetched_blocks, fake.ranged_gets()), (3, 3));
    // empty objects
    fake.clear_log();
    let mut out = Vec::new();
    p.download_to_writer(CONT, "empty", &mut out, &DownloadOptions::default())
        .await
        .unwrap();
    assert!(out.is_empty());
    let got = p
        .download_object(
            CONT,
            "empty",
            dir.path().join("e"),
            &DownloadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(got.bytes, 0);
    assert_eq!(std::fs::read(dir.path().join("e")).unwrap(), b"");
    assert_eq!(fake.ranged_gets(), 0);
}

#[tokio::test]
async fn a_download_over_a_slow_server_completes_with_bounded_concurrency() {
    let fake = Fake::start(true).await;
    let content = data(12 * B, 16);
    fake.put("slow", &content);
    fake.with(|s| s.faults.delay = Duration::from_millis(40));
    let dir = temp();
    let dst = dir.path().join("slow");
    fake.client()
        .download_object(CONT, "slow", &dst, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), content);
    let max = fake.with(|s| s.max_gets_in_flight);
    assert!(
        (2..=5).contains(&max),
        "default concurrency is 5; saw {max}"
    );
}

// ---------------------------------------------------------------------------
// a store that is not Pithos

#[tokio::test]
async fn not_pithos_falls_back_to_a_plain_put_and_a_plain_get() {
    let fake = Fake::start(false).await;
    let p = fake.client();
    let content = data(3 * B + 1, 17);
    let out = p
        .upload_object(
            CONT,
            "plain",
            UploadSource::bytes(content.clone()),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.mode, UploadMode::Plain);
    assert_eq!(out.etag.as_deref(), Some(md5_hex(&content).as_str()));
    assert_eq!(
        fake.with(|s| s.plain[&(CONT.into(), "plain".into())].0.clone()),
        content
    );
    // a stream of unknown length goes chunked
    let out = p
        .upload_object(
            CONT,
            "stream",
            UploadSource::reader(std::io::Cursor::new(content.clone()), None),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (out.mode, out.bytes),
        (UploadMode::Plain, content.len() as u64)
    );
    // and back, verified by MD5
    let dir = temp();
    let dst = dir.path().join("plain");
    let got = p
        .download_object(CONT, "plain", &dst, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dst).unwrap(), content);
    assert!(!got.verified);
    let mut buf = Vec::new();
    p.download_to_writer(CONT, "stream", &mut buf, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(buf, content);
    assert_eq!(fake.block_posts(), 0);
}

#[tokio::test]
async fn not_pithos_large_files_go_as_slo_segments() {
    let fake = Fake::start(false).await;
    let dir = temp();
    let path = dir.path().join("large");
    let content = data(250 * 1024, 18);
    std::fs::write(&path, &content).unwrap();
    let out = fake
        .client()
        .upload_object(
            CONT,
            "large",
            UploadSource::path(&path),
            &UploadOptions {
                segment_size: Some(100 * 1024),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(out.mode, UploadMode::Segmented { segments: 3 });
    assert_eq!(out.bytes, content.len() as u64);
    let stored = fake.with(|s| s.plain[&(CONT.into(), "large".into())].0.clone());
    assert_eq!(stored, content);
    let segments = fake.count("PUT", |l| l.path.contains("cont_segments/"));
    assert_eq!(segments, 3);
}

// ---------------------------------------------------------------------------
// directory sync

fn write(root: &std::path::Path, rel: &str, content: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn tree(root: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[tokio::test]
async fn sync_moves_only_changed_files_and_blocks_both_ways() {
    let fake = Fake::start(true).await;
    let p = fake.client();
    let src = temp();
    write(src.path(), "a.bin", &data(5 * B, 20));
    write(src.path(), "docs/readme.txt", b"hello");
    write(src.path(), "docs/deep/x.bin", &data(2 * B + 9, 21));
    std::fs::create_dir_all(src.path().join("empty")).unwrap();

    // first upload: everything is new
    let r = p
        .sync_upload(src.path(), CONT, "backup", &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!((r.created, r.updated, r.unchanged, r.deleted), (3, 0, 0, 0));
    assert_eq!(r.directories, 3); // docs, docs/deep, empty
    assert_eq!(r.moved_blocks, 5 + 1 + 3);
    assert_eq!(fake.content("backup/docs/readme.txt").unwrap(), b"hello");

    // again: nothing moves
    fake.clear_log();
    let r = p
        .sync_upload(src.path(), CONT, "backup", &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (r.created, r.updated, r.unchanged, r.moved_bytes),
        (0, 0, 3, 0)
    );
    assert_eq!(fake.block_posts(), 0);
    assert_eq!(fake.count("PUT", |_| true), 0);

    // one block of a.bin changes, a file appears, one disappears
    let mut a = data(5 * B, 20);
    a[3 * B] ^= 1;
    write(src.path(), "a.bin", &a);
    write(src.path(), "new.txt", b"new");
    std::fs::remove_file(src.path().join("docs/readme.txt")).unwrap();
    let keep = p
        .sync_upload(src.path(), CONT, "backup", &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!((keep.created, keep.updated, keep.deleted), (1, 1, 0));
    assert_eq!(keep.moved_blocks, 2); // the changed block and new.txt
    assert!(
        fake.content("backup/docs/readme.txt").is_some(),
        "no deletion unless asked"
    );
    let dry = p
        .sync_upload(
            src.path(),
            CONT,
            "backup",
            &SyncOptions {
                delete: true,
                dry_run: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(dry.deleted, 1);
    assert!(
        fake.content("backup/docs/readme.txt").is_some(),
        "a dry run deletes nothing"
    );
    let del = p
        .sync_upload(
            src.path(),
            CONT,
            "backup",
            &SyncOptions {
                delete: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((del.deleted, del.unchanged), (1, 3));
    assert!(fake.content("backup/docs/readme.txt").is_none());

    // download the tree elsewhere: identical, empty folder included
    let dst = temp();
    let r = p
        .sync_download(CONT, "backup", dst.path(), &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(r.created, 3);
    assert_eq!(tree(dst.path()), tree(src.path()));

    // change one block remotely: only that block comes back
    a[B] ^= 1;
    fake.put("backup/a.bin", &a);
    write(dst.path(), "local-only.txt", b"mine");
    fake.clear_log();
    let r = p
        .sync_download(CONT, "backup", dst.path(), &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!((r.updated, r.unchanged, r.moved_blocks), (1, 2, 1));
    assert_eq!(fake.ranged_gets(), 1);
    assert_eq!(std::fs::read(dst.path().join("a.bin")).unwrap(), a);
    assert!(dst.path().join("local-only.txt").exists());
    let r = p
        .sync_download(
            CONT,
            "backup",
            dst.path(),
            &SyncOptions {
                delete: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.deleted, 1);
    assert!(!dst.path().join("local-only.txt").exists());
}

#[tokio::test]
async fn sync_download_skips_names_that_would_leave_the_folder() {
    let fake = Fake::start(true).await;
    fake.put("in/../../evil", b"x");
    fake.put("in/ok.txt", b"ok");
    let dst = temp();
    let target = dst.path().join("t");
    let r = fake
        .client()
        .sync_download(CONT, "in", &target, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!((r.created, r.skipped), (1, 1));
    assert!(matches!(
        r.entries
            .iter()
            .find(|e| e.object == "in/../../evil")
            .unwrap()
            .action,
        SyncAction::Skipped { .. }
    ));
    assert!(!dst.path().join("evil").exists());
    assert_eq!(std::fs::read(target.join("ok.txt")).unwrap(), b"ok");
}

#[tokio::test]
async fn progress_counts_bytes_hashed_sent_and_received() {
    use kamaki_core::CountingProgress;
    let fake = Fake::start(true).await;
    let content = data(7 * B + 11, 22);
    let hashed = Arc::new(CountingProgress::default());
    let sent = Arc::new(CountingProgress::default());
    let opts = UploadOptions {
        hash_progress: Some(hashed.clone()),
        upload_progress: Some(sent.clone()),
        ..Default::default()
    };
    fake.with(|s| s.faults.drop_posts = 1); // a retried block is counted once
    fake.client()
        .upload_object(CONT, "p", UploadSource::bytes(content.clone()), &opts)
        .await
        .unwrap();
    let n = content.len() as u64;
    assert_eq!((hashed.done(), hashed.total()), (n, Some(n)));
    assert_eq!((sent.done(), sent.total()), (n, Some(n)));

    let got = Arc::new(CountingProgress::default());
    let dir = temp();
    fake.client()
        .download_object(
            CONT,
            "p",
            dir.path().join("p"),
            &DownloadOptions {
                progress: Some(got.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((got.done(), got.total()), (n, Some(n)));
}
