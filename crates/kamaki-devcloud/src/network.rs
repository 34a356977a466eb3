//! stub
use std::sync::Arc;
use crate::util::{Fault, Req, R};
use crate::Cloud;
pub(crate) async fn handle(_cloud: &Arc<Cloud>, _req: Req) -> R { Err(Fault::endpoint_not_found()) }
pub(crate) fn seed(_c: &Arc<Cloud>) {}
