//! Dispatch: maps every command of the tree (`cli.rs`) to its
//! implementation. This is the one place that says which commands are wired
//! to which library.

pub mod astakos;
pub mod blockstorage;
pub mod common;
pub mod compute;
pub mod config;
pub mod history;
pub mod image;
pub mod network;
pub mod pithos;
pub mod user;

use clap::CommandFactory;

use crate::app::App;
use crate::cli::{Cli, EndpointCmd, Group};
use crate::error::{CliError, CliResult};

/// Whether a group runs without any network access (no runtime needed).
pub fn is_local(group: &Group) -> bool {
    matches!(
        group,
        Group::Config(_) | Group::History(_) | Group::Completion(_)
    )
}

/// Runs a local command (config, history, completion).
pub fn run_local(app: &mut App, group: Group) -> CliResult {
    match group {
        Group::Config(c) => config::run(app, c),
        Group::History(c) => history::run(app, c),
        Group::Completion(c) => {
            let mut cmd = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(c.shell, &mut cmd, "kamaki", &mut script);
            crate::output::emit(&String::from_utf8_lossy(&script));
            Ok(())
        }
        _ => Err(CliError::not_available(&app.command)),
    }
}

/// Runs a command that talks to the cloud.
pub async fn run_remote(app: &mut App, group: Group) -> CliResult {
    match group {
        Group::User(c) => {
            if user::run(app, &c).await? {
                Ok(())
            } else {
                // uuid2name, name2uuid, setdefaultproject: Astakos account API
                astakos::user(app, &c).await
            }
        }
        Group::Endpoint(EndpointCmd::List(a)) => user::endpoint_list(app, &a).await,
        // Astakos account API: kamaki-synnefo AccountApi
        Group::Quota(c) => astakos::quota(app, c).await,
        Group::Resource(c) => astakos::resource(app, c).await,
        Group::Project(c) => astakos::project(app, c).await,
        Group::Membership(c) => astakos::membership(app, c).await,
        Group::Commission(c) => astakos::commission(app, c).await,
        Group::Service(c) => astakos::service(app, c).await,
        // Compute: kamaki-synnefo CycladesComputeClient (OpenStack calls
        // through its ComputeClient)
        Group::Server(c) => compute::server(app, c).await,
        Group::Flavor(c) => compute::flavor(app, c).await,
        Group::Keypair(c) => compute::keypair(app, c).await,
        Group::Imagecompute(c) => compute::imagecompute(app, c).await,
        // Plankton images (kamaki-synnefo plankton)
        Group::Image(c) => image::image(app, c).await,
        // Network: kamaki-openstack NetworkClient (reassign: Cyclades)
        Group::Network(c) => network::network(app, c).await,
        Group::Subnet(c) => network::subnet(app, c).await,
        Group::Port(c) => network::port(app, c).await,
        Group::Ip(c) => network::ip(app, c).await,
        // Block storage: kamaki-openstack BlockStorageClient (reassign: Cyclades)
        Group::Volume(c) => blockstorage::volume(app, c).await,
        Group::Snapshot(c) => blockstorage::snapshot(app, c).await,
        // Pithos: kamaki-synnefo PithosClient and its transfer engine
        Group::File(c) => pithos::file(app, c).await,
        Group::Container(c) => pithos::container(app, c).await,
        Group::Sharer(c) => pithos::sharer(app, c).await,
        Group::Group(c) => pithos::group(app, c).await,
        Group::Scripts(c) => pithos::scripts(app, c).await,
        Group::Config(_) | Group::History(_) | Group::Completion(_) => run_local(app, group),
    }
}
