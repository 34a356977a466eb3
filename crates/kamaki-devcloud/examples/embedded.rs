//! Start a devcloud inside a program (as tests and benchmarks do), ask the
//! identity service for the catalog and stop.
//!
//! Run with `cargo run -p kamaki-devcloud --example embedded`.

use std::time::Duration;

use kamaki_devcloud::{DevCloud, DevCloudConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cloud = DevCloud::start(DevCloudConfig {
        build_delay: Duration::from_millis(50),
        ..Default::default()
    })
    .await?;
    println!("auth URL: {}", cloud.auth_url());
    println!("token:    {}", cloud.token());

    // A raw HTTP/1.1 request, to stay free of client crates.
    let body = format!(r#"{{"auth": {{"token": {{"id": "{}"}}}}}}"#, cloud.token());
    let mut stream = tokio::net::TcpStream::connect(cloud.addr()).await?;
    let request = format!(
        "POST /identity/v2.0/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        body
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let json = response.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(json)?;
    for service in v["access"]["serviceCatalog"]
        .as_array()
        .into_iter()
        .flatten()
    {
        println!(
            "{:<16} {}",
            service["type"].as_str().unwrap_or(""),
            service["endpoints"][0]["publicURL"].as_str().unwrap_or("")
        );
    }
    cloud.shutdown().await;
    Ok(())
}
