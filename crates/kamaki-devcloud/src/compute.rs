//! stub
use std::sync::Arc;
use crate::util::{Fault, Req, R};
use crate::Cloud;
pub(crate) async fn handle(_cloud: &Arc<Cloud>, _req: Req) -> R { Err(Fault::endpoint_not_found()) }
pub(crate) struct Flavor { pub vcpus: u64, pub ram: u64, pub disk: u64 }
pub(crate) fn flavor(_id: u64) -> Option<Flavor> { None }
