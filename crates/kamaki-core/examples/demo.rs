//! A first look at kamaki-core: endpoints, URL encoding and kamaki's error
//! layout, without any network. The full tutorial walkthrough runs on the
//! local cloud once `kamaki-devcloud` and `kamaki-synnefo` are in place.

use kamaki_core::{ClientError, Endpoint};

fn main() -> Result<(), ClientError> {
    let pithos = Endpoint::new("https://cloud.example.org/object-store", Some("1"))?;
    let url = pithos
        .path()
        .seg("8e3b-uuid")
        .seg("pithos")
        .object("photos/summer 2013/ü.jpg");
    println!("endpoint: {pithos}");
    println!("object URL: {url}");

    let body =
        br#"{"itemNotFound": {"code": 404, "message": "Object does not exist", "details": ""}}"#;
    let e = ClientError::from_response(404, "Not Found", body.as_slice().into(), None);
    print!("Error: {e}");
    if e.status != 0 {
        println!("- error code: {}", e.status);
    }
    for d in &e.details {
        println!("- {d}");
    }
    Ok(())
}
