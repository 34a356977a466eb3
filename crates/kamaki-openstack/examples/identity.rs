//! Authenticates and prints the user, the scope and the service catalog.
//!
//! ```text
//! # identity v2.0 (Synnefo/Astakos) or Keystone v3, with a token:
//! KAMAKI_URL=https://accounts.example.org/identity/v2.0 KAMAKI_TOKEN=... \
//!     cargo run -p kamaki-openstack --example identity
//! # Keystone v3 with a user name and password (the domains default to "Default"):
//! KAMAKI_URL=http://127.0.0.1:5000/v3 KAMAKI_USER=admin KAMAKI_PASSWORD=secret \
//! KAMAKI_PROJECT=admin cargo run -p kamaki-openstack --example identity
//! ```

use kamaki_openstack::identity::{AuthInfo, IdentityClient, V3Domains};
use kamaki_openstack::ClientError;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("Error: {}", e.message.trim_end());
        if e.status != 0 {
            eprintln!("- error code: {}", e.status);
        }
        for d in &e.details {
            eprintln!("- {d}");
        }
        std::process::exit(1);
    }
}

fn env(name: &str) -> Result<String, ClientError> {
    std::env::var(name)
        .map_err(|_| ClientError::invalid_argument(format!("Set {name} in the environment")))
}

async fn authenticate() -> Result<AuthInfo, ClientError> {
    let url = env("KAMAKI_URL")?;
    if let (Ok(user), Ok(password)) = (env("KAMAKI_USER"), env("KAMAKI_PASSWORD")) {
        let project = env("KAMAKI_PROJECT").ok();
        let user_domain = env("KAMAKI_USER_DOMAIN").unwrap_or_else(|_| "Default".into());
        let project_domain = env("KAMAKI_PROJECT_DOMAIN").unwrap_or_else(|_| user_domain.clone());
        let domains = V3Domains::names(&user_domain, &project_domain);
        let (_, auth) =
            IdentityClient::password_v3(&url, &user, &password, project.as_deref(), &domains)
                .await?;
        return Ok(auth);
    }
    IdentityClient::new(&url, env("KAMAKI_TOKEN")?)?
        .authenticate()
        .await
}

async fn run() -> Result<(), ClientError> {
    let auth = authenticate().await?;
    println!(
        "user: {} ({})",
        auth.user.id,
        auth.user.name.as_deref().unwrap_or("-")
    );
    if let Some(p) = &auth.project {
        println!("project: {} ({})", p.id, p.name.as_deref().unwrap_or("-"));
    }
    let roles: Vec<&str> = auth.user.roles.iter().map(|r| r.name.as_str()).collect();
    println!("roles: {}", roles.join(", "));
    println!("token expires: {}", auth.expires.as_deref().unwrap_or("-"));
    println!("catalog:");
    for service in &auth.catalog.services {
        let url = auth
            .catalog
            .get_endpoint_url(&service.service_type)
            .unwrap_or_else(|e| format!("({})", e.message));
        println!("  {:<18} {url}", service.service_type);
    }
    Ok(())
}
