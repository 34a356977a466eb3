//! The command tree: global options, the 26 command groups and their
//! commands, with kamaki's words, positional identifiers and option spellings
//! (`spec/cli.md` §2 and §10).
//!
//! This file is the one list of commands; `commands::dispatch` maps each to
//! its implementation (or to "not available in this build").

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// `KEY=VALUE` option values (missing `=` is a syntax error, `spec/cli.md` §1.4).
pub fn parse_kv(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not in KEY=VALUE form")),
    }
}

/// Explicit booleans: `true` / `false`, any case.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("`{s}` is not a boolean (use true or false)")),
    }
}

/// The one output format besides the human layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The raw API payload as JSON, indented by 4 spaces.
    Json,
}

/// kamaki: command line client for Synnefo and OpenStack clouds.
#[derive(Parser, Debug)]
#[command(
    name = "kamaki",
    version,
    about = "kamaki: command line client for Synnefo and OpenStack clouds",
    disable_help_subcommand = true,
    arg_required_else_help = true,
    subcommand_required = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options accepted anywhere on the line.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command group.
    #[command(subcommand)]
    pub group: Group,
}

/// Global options (`spec/cli.md` §2).
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Path to the configuration file (default: $KAMAKI_CONFIG or ~/.kamakirc)
    #[arg(short = 'c', long = "config", global = true, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Use this cloud for this run
    #[arg(long, global = true, value_name = "NAME")]
    pub cloud: Option<String>,
    /// Override a configuration option for this run ([section.]key=value, repeatable)
    #[arg(short = 'o', long = "options", global = true, value_name = "KEY=VALUE",
          action = ArgAction::Append, value_parser = parse_kv)]
    pub options: Vec<(String, String)>,
    /// Show HTTP requests and responses (-vv: with bodies)
    #[arg(short = 'v', long = "verbose", global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// Show HTTP requests and responses with their bodies (same as -vv)
    #[arg(long = "verbose-with-data", global = true)]
    pub verbose_with_data: bool,
    /// Debug logging to stderr
    #[arg(short = 'd', long = "debug", global = true)]
    pub debug: bool,
    /// Do not verify TLS certificates (insecure)
    #[arg(
        short = 'k',
        long = "ignore-ssl",
        visible_alias = "insecure",
        global = true
    )]
    pub ignore_ssl: bool,
    /// CA certificates bundle used to verify TLS
    #[arg(
        long = "ca-certs",
        visible_alias = "ca-file",
        global = true,
        value_name = "FILE"
    )]
    pub ca_certs: Option<std::path::PathBuf>,
    /// Output format of results (json)
    #[arg(
        long = "output-format",
        global = true,
        value_enum,
        ignore_case = true,
        value_name = "FORMAT"
    )]
    pub output_format: Option<OutputFormat>,
    /// Do not show progress bars
    #[arg(short = 'N', long = "no-progress-bar", global = true)]
    pub no_progress_bar: bool,
}

macro_rules! group {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident($args:ty)),* $(,)? }) => {
        $(#[$m])*
        #[derive(Subcommand, Debug)]
        #[command(subcommand_required = true, arg_required_else_help = true)]
        #[allow(clippy::large_enum_variant)]
        pub enum $name {
            $($(#[$vm])* $variant($args)),*
        }
    };
}

/// The command groups (`spec/cli.md` §3.4, §10).
#[derive(Subcommand, Debug)]
#[allow(clippy::enum_variant_names, clippy::large_enum_variant)]
pub enum Group {
    /// Astakos/Identity API commands: session users
    #[command(subcommand)]
    User(UserCmd),
    /// Astakos/Account API commands for quotas
    #[command(subcommand)]
    Quota(QuotaCmd),
    /// Astakos/Account API commands for resources
    #[command(subcommand)]
    Resource(ResourceCmd),
    /// Astakos project API commands
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Astakos project membership API commands
    #[command(subcommand)]
    Membership(MembershipCmd),
    /// Cyclades/Compute API server commands
    #[command(subcommand)]
    Server(ServerCmd),
    /// Cyclades/Compute API flavor commands
    #[command(subcommand)]
    Flavor(FlavorCmd),
    /// Cyclades/Compute API keypair commands
    #[command(subcommand)]
    Keypair(KeypairCmd),
    /// Cyclades/Compute API image commands
    #[command(subcommand)]
    Imagecompute(ImagecomputeCmd),
    /// Cyclades/Plankton API image commands
    #[command(subcommand)]
    Image(ImageCmd),
    /// Network API network commands
    #[command(subcommand)]
    Network(NetworkCmd),
    /// Network API subnet commands
    #[command(subcommand)]
    Subnet(SubnetCmd),
    /// Network API port commands
    #[command(subcommand)]
    Port(PortCmd),
    /// Network API floating IP commands
    #[command(subcommand)]
    Ip(IpCmd),
    /// Block Storage API volume commands
    #[command(subcommand)]
    Volume(VolumeCmd),
    /// Block Storage API snapshot commands
    #[command(subcommand)]
    Snapshot(SnapshotCmd),
    /// Pithos+/Storage object level API commands
    #[command(subcommand)]
    File(FileCmd),
    /// Pithos+/Storage container level API commands
    #[command(subcommand)]
    Container(ContainerCmd),
    /// Pithos+/Storage sharers
    #[command(subcommand)]
    Sharer(SharerCmd),
    /// Pithos+/Storage user groups
    #[command(subcommand)]
    Group(GroupCmd),
    /// Kamaki configurations
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Kamaki command history
    #[command(subcommand)]
    History(HistoryCmd),
    /// Useful scripts that combine kamaki commands
    #[command(subcommand)]
    Scripts(ScriptsCmd),
    /// Astakos API service commands (hidden: `config set service_cli astakos`)
    #[command(subcommand, hide = true)]
    Service(ServiceCmd),
    /// Astakos API commission commands (hidden: `config set commission_cli astakos`)
    #[command(subcommand, hide = true)]
    Commission(CommissionCmd),
    /// Astakos API endpoint commands (hidden: `config set endpoint_cli astakos`)
    #[command(subcommand, hide = true)]
    Endpoint(EndpointCmd),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completion(CompletionArgs),
}

/// `completion SHELL`
#[derive(Args, Debug, Clone)]
pub struct CompletionArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

impl Group {
    /// The group word as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Group::User(_) => "user",
            Group::Quota(_) => "quota",
            Group::Resource(_) => "resource",
            Group::Project(_) => "project",
            Group::Membership(_) => "membership",
            Group::Server(_) => "server",
            Group::Flavor(_) => "flavor",
            Group::Keypair(_) => "keypair",
            Group::Imagecompute(_) => "imagecompute",
            Group::Image(_) => "image",
            Group::Network(_) => "network",
            Group::Subnet(_) => "subnet",
            Group::Port(_) => "port",
            Group::Ip(_) => "ip",
            Group::Volume(_) => "volume",
            Group::Snapshot(_) => "snapshot",
            Group::File(_) => "file",
            Group::Container(_) => "container",
            Group::Sharer(_) => "sharer",
            Group::Group(_) => "group",
            Group::Config(_) => "config",
            Group::History(_) => "history",
            Group::Scripts(_) => "scripts",
            Group::Service(_) => "service",
            Group::Commission(_) => "commission",
            Group::Endpoint(_) => "endpoint",
            Group::Completion(_) => "completion",
        }
    }
}

/// The groups hidden until their `<group>_cli` key is set.
pub const HIDDEN_GROUPS: [&str; 3] = ["service", "endpoint", "commission"];

// ---------------------------------------------------------------------------
// Shared option sets

/// Client-side name filters (`[NF]`).
#[derive(Args, Debug, Clone, Default)]
pub struct NameFilter {
    /// Show only items with this name (case-insensitive)
    #[arg(long)]
    pub name: Option<String>,
    /// Show only items whose name starts with this
    #[arg(long = "name-prefix")]
    pub name_prefix: Option<String>,
    /// Show only items whose name ends with this
    #[arg(long = "name-suffix")]
    pub name_suffix: Option<String>,
    /// Show only items whose name contains this
    #[arg(long = "name-like")]
    pub name_like: Option<String>,
}

/// Name filters without `--name` (for commands that use `--name` otherwise).
#[derive(Args, Debug, Clone, Default)]
pub struct NameFilterNoName {
    /// Show only items whose name starts with this
    #[arg(long = "name-prefix")]
    pub name_prefix: Option<String>,
    /// Show only items whose name ends with this
    #[arg(long = "name-suffix")]
    pub name_suffix: Option<String>,
    /// Show only items whose name contains this
    #[arg(long = "name-like")]
    pub name_like: Option<String>,
}

/// Client-side id filters (`[IF]`).
#[derive(Args, Debug, Clone, Default)]
pub struct IdFilter {
    /// Show only items with this id
    #[arg(long)]
    pub id: Option<String>,
    /// Show only items whose id starts with this
    #[arg(long = "id-prefix")]
    pub id_prefix: Option<String>,
    /// Show only items whose id ends with this
    #[arg(long = "id-suffix")]
    pub id_suffix: Option<String>,
    /// Show only items whose id contains this
    #[arg(long = "id-like")]
    pub id_like: Option<String>,
}

/// Listing size and presentation (`-n`, `--more`, `--enumerate`).
#[derive(Args, Debug, Clone, Default)]
pub struct ListShape {
    /// Limit the number of listed items
    #[arg(short = 'n', long = "number")]
    pub number: Option<u64>,
    /// Show the output through the pager
    #[arg(long)]
    pub more: bool,
    /// Enumerate results
    #[arg(long)]
    pub enumerate: bool,
}

/// `-w/--wait`.
#[derive(Args, Debug, Clone, Default)]
pub struct WaitFlag {
    /// Wait for the operation to complete
    #[arg(short = 'w', long)]
    pub wait: bool,
}

/// `--while` / `--until` / deprecated `--status`, `--timeout`.
#[derive(Args, Debug, Clone, Default)]
pub struct WaitArgs {
    /// Wait while the status is this
    #[arg(long = "while", group = "wait_mode")]
    pub while_status: Option<String>,
    /// Wait until the status is this
    #[arg(long, group = "wait_mode")]
    pub until: Option<String>,
    /// Deprecated alias of --while
    #[arg(long, group = "wait_mode", hide = true)]
    pub status: Option<String>,
    /// Give up after this many seconds
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
}

/// A single `--reason`.
#[derive(Args, Debug, Clone, Default)]
pub struct Reason {
    /// The reason of this action
    #[arg(long)]
    pub reason: Option<String>,
}

/// One identifier.
#[derive(Args, Debug, Clone)]
pub struct IdArg {
    /// The identifier
    #[arg(value_name = "ID")]
    pub id: String,
}

/// A command that takes nothing.
#[derive(Args, Debug, Clone, Default)]
pub struct NoArgs {}

/// `-l/--details` only.
#[derive(Args, Debug, Clone, Default)]
pub struct DetailsArg {
    /// Show details
    #[arg(short = 'l', long = "details")]
    pub details: bool,
}

// ---------------------------------------------------------------------------
// Identity / account

group!(
    /// `user` commands.
    UserCmd {
        /// Authenticate a user and show the access information
        Authenticate(UserAuthenticate),
        /// Get user name(s) from uuid(s)
        Uuid2name(UserUuid2name),
        /// Get user uuid(s) from name(s)
        Name2uuid(UserName2uuid),
        /// Information about the current session user
        Info(UserInfo),
        /// Set the default project of the session user
        Setdefaultproject(UserSetdefaultproject),
        /// Authenticate another user by token and add it to the session
        Add(UserAdd),
        /// List the users of this session
        List(UserList),
        /// Select a user of this session as the current one
        Select(UserSelect),
        /// Forget a user of this session
        Delete(UserDelete),
    }
);

/// `user authenticate [TOKEN]`
#[derive(Args, Debug, Clone)]
pub struct UserAuthenticate {
    /// The token (default: the session token)
    pub token: Option<String>,
}
/// `user uuid2name UUID...`
#[derive(Args, Debug, Clone)]
pub struct UserUuid2name {
    /// User uuids
    #[arg(required = true, value_name = "UUID")]
    pub uuids: Vec<String>,
}
/// `user name2uuid NAME...`
#[derive(Args, Debug, Clone)]
pub struct UserName2uuid {
    /// User names
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
}
/// `user info`
#[derive(Args, Debug, Clone, Default)]
pub struct UserInfo {
    /// A cached session user, by uuid
    #[arg(long, conflicts_with = "username")]
    pub uuid: Option<String>,
    /// A cached session user, by name
    #[arg(long)]
    pub username: Option<String>,
}
/// `user setdefaultproject PROJECT_ID`
#[derive(Args, Debug, Clone)]
pub struct UserSetdefaultproject {
    /// The project id
    pub project_id: String,
}
/// `user add --token T`
#[derive(Args, Debug, Clone)]
pub struct UserAdd {
    /// The token of the user to add
    #[arg(long, required = true)]
    pub token: String,
}
/// `user list`
#[derive(Args, Debug, Clone, Default)]
pub struct UserList {
    /// Show all user fields
    #[arg(short = 'l', long = "detail")]
    pub detail: bool,
}
/// `user select --user U`
#[derive(Args, Debug, Clone)]
pub struct UserSelect {
    /// User uuid or name
    #[arg(long, required = true)]
    pub user: String,
}
/// `user delete --user U`
#[derive(Args, Debug, Clone)]
pub struct UserDelete {
    /// User uuid or name
    #[arg(long, required = true)]
    pub user: String,
}

group!(
    /// `quota` commands.
    QuotaCmd {
        /// Show quotas per project
        List(QuotaList),
    }
);
/// `quota list`
#[derive(Args, Debug, Clone, Default)]
pub struct QuotaList {
    /// Keep resources whose name starts with this
    #[arg(long)]
    pub resource: Option<String>,
    /// Only this project
    #[arg(long = "project-id")]
    pub project_id: Option<String>,
    /// Show sizes in bytes
    #[arg(long)]
    pub bytes: bool,
}

group!(
    /// `resource` commands.
    ResourceCmd {
        /// List the resources of this cloud
        List(NoArgs),
    }
);

group!(
    /// `project` commands.
    ProjectCmd {
        /// List projects
        List(ProjectList),
        /// Get details of a project
        Info(ProjectId),
        /// Apply for a new project
        Create(ProjectCreate),
        /// Modify a project
        Modify(ProjectModify),
        /// Suspend a project (special privileges needed)
        Suspend(ProjectAction),
        /// Resume a suspended project (special privileges needed)
        Unsuspend(ProjectAction),
        /// Terminate a project (special privileges needed)
        Terminate(ProjectAction),
        /// Reinstate a terminated project (special privileges needed)
        Reinstate(ProjectAction),
        /// Approve an application (special privileges needed)
        Approve(ProjectAppAction),
        /// Deny an application (special privileges needed)
        Deny(ProjectAppAction),
        /// Dismiss a denied application
        Dismiss(ProjectAppAction),
        /// Cancel an application
        Cancel(ProjectAppAction),
        /// Join a project
        Join(ProjectId),
        /// Enroll a user to a project
        Enroll(ProjectEnroll),
    }
);
/// `project list`
#[derive(Args, Debug, Clone, Default)]
pub struct ProjectList {
    /// Show full records
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Filter by name
    #[arg(long = "with-name")]
    pub with_name: Option<String>,
    /// Filter by state
    #[arg(long = "with-state")]
    pub with_state: Option<String>,
    /// Filter by owner uuid
    #[arg(long = "with-owner")]
    pub with_owner: Option<String>,
}
/// A project id.
#[derive(Args, Debug, Clone)]
pub struct ProjectId {
    /// The project id
    pub project_id: String,
}
/// Project specification options shared by create and modify.
#[derive(Args, Debug, Clone, Default)]
pub struct ProjectSpec {
    /// A JSON file with the project specification
    #[arg(long = "spec-file")]
    pub spec_file: Option<std::path::PathBuf>,
    /// Project name (domain-like, e.g. group.example.org)
    #[arg(long)]
    pub name: Option<String>,
    /// Owner uuid
    #[arg(long)]
    pub owner: Option<String>,
    /// Project homepage
    #[arg(long)]
    pub homepage: Option<String>,
    /// Project description
    #[arg(long)]
    pub description: Option<String>,
    /// Maximum number of members
    #[arg(long = "max-members")]
    pub max_members: Option<u64>,
    /// Start date
    #[arg(long = "start-date")]
    pub start_date: Option<String>,
    /// End date
    #[arg(long = "end-date")]
    pub end_date: Option<String>,
    /// Join policy (auto, moderated, closed)
    #[arg(long = "join-policy", value_parser = ["auto", "moderated", "closed"], ignore_case = true)]
    pub join_policy: Option<String>,
    /// Leave policy (auto, moderated, closed)
    #[arg(long = "leave-policy", value_parser = ["auto", "moderated", "closed"], ignore_case = true)]
    pub leave_policy: Option<String>,
    /// Resource limits: RESOURCE=MEMBER_CAPACITY,PROJECT_CAPACITY (repeatable)
    #[arg(long, action = ArgAction::Append, value_parser = parse_kv)]
    pub resource: Vec<(String, String)>,
}
/// `project create`
#[derive(Args, Debug, Clone, Default)]
#[command(after_help = PROJECT_SPEC_TEMPLATE)]
pub struct ProjectCreate {
    /// Specification options
    #[command(flatten)]
    pub spec: ProjectSpec,
    /// Private project (true/false)
    #[arg(long, value_parser = parse_bool)]
    pub private: Option<bool>,
}
const PROJECT_SPEC_TEMPLATE: &str = r#"Project specification file (--spec-file), JSON:
  {
    "name": "group.example.org",
    "owner": "<user uuid>",
    "homepage": "https://group.example.org",
    "description": "What the project is for",
    "comments": "For the reviewers",
    "max_members": 10,
    "private": false,
    "start_date": "2031-01-01T00:00:00Z",
    "end_date": "2032-01-01T00:00:00Z",
    "join_policy": "moderated",
    "leave_policy": "auto",
    "resources": {
      "cyclades.vm": {"project_capacity": 10, "member_capacity": 2}
    }
  }
Options given on the command line override the file's values."#;

/// `project modify PROJECT_ID`
#[derive(Args, Debug, Clone)]
pub struct ProjectModify {
    /// The project id
    pub project_id: String,
    /// Specification options
    #[command(flatten)]
    pub spec: ProjectSpec,
    /// Make the project private
    #[arg(long, conflicts_with = "public")]
    pub private: bool,
    /// Make the project public
    #[arg(long)]
    pub public: bool,
}
/// `project suspend|unsuspend|terminate|reinstate PROJECT_ID`
#[derive(Args, Debug, Clone)]
pub struct ProjectAction {
    /// The project id
    pub project_id: String,
    /// Reason
    #[command(flatten)]
    pub reason: Reason,
}
/// `project approve|deny|dismiss|cancel PROJECT_ID --app-id APP`
#[derive(Args, Debug, Clone)]
pub struct ProjectAppAction {
    /// The project id
    pub project_id: String,
    /// The application id
    #[arg(long = "app-id", required = true)]
    pub app_id: String,
    /// Reason
    #[command(flatten)]
    pub reason: Reason,
}
/// `project enroll PROJECT_ID --email EMAIL`
#[derive(Args, Debug, Clone)]
pub struct ProjectEnroll {
    /// The project id
    pub project_id: String,
    /// The user e-mail
    #[arg(long, required = true)]
    pub email: String,
}

group!(
    /// `membership` commands.
    MembershipCmd {
        /// List memberships
        List(MembershipList),
        /// Details of a membership
        Info(MembershipId),
        /// Leave a project
        Leave(MembershipAction),
        /// Cancel a membership request
        Cancel(MembershipAction),
        /// Accept a membership
        Accept(MembershipAction),
        /// Reject a membership
        Reject(MembershipAction),
        /// Remove a membership
        Remove(MembershipAction),
    }
);
/// `membership list`
#[derive(Args, Debug, Clone, Default)]
pub struct MembershipList {
    /// Only memberships of this project
    #[arg(long = "project-id")]
    pub project_id: Option<String>,
}
/// A membership id.
#[derive(Args, Debug, Clone)]
pub struct MembershipId {
    /// The membership id
    pub membership_id: String,
}
/// `membership leave|cancel|accept|reject|remove ID`
#[derive(Args, Debug, Clone)]
pub struct MembershipAction {
    /// The membership id
    pub membership_id: String,
    /// Reason
    #[command(flatten)]
    pub reason: Reason,
}

group!(
    /// `service` commands (hidden).
    ServiceCmd {
        /// List the services of the catalog
        List(NoArgs),
        /// Get user names from uuids (service token needed)
        Uuid2username(ServiceUuids),
        /// Get user uuids from names (service token needed)
        Username2uuid(ServiceNames),
        /// Get service quotas (service token needed)
        Quotas(ServiceQuotas),
    }
);
/// `service uuid2username`
#[derive(Args, Debug, Clone)]
pub struct ServiceUuids {
    /// The service token
    #[arg(long = "service-token", required = true)]
    pub service_token: String,
    /// A user uuid (repeatable)
    #[arg(long, required = true, action = ArgAction::Append)]
    pub uuid: Vec<String>,
}
/// `service username2uuid`
#[derive(Args, Debug, Clone)]
pub struct ServiceNames {
    /// The service token
    #[arg(long = "service-token", required = true)]
    pub service_token: String,
    /// A user name (repeatable)
    #[arg(long, required = true, action = ArgAction::Append)]
    pub username: Vec<String>,
}
/// `service quotas`
#[derive(Args, Debug, Clone)]
pub struct ServiceQuotas {
    /// The service token
    #[arg(long = "service-token", required = true)]
    pub service_token: String,
    /// Only this user
    #[arg(long)]
    pub uuid: Option<String>,
}

group!(
    /// `commission` commands (hidden).
    CommissionCmd {
        /// List pending commissions
        Pending(NoArgs),
        /// Details of a commission
        Info(CommissionSerial),
        /// Accept a commission
        Accept(CommissionSerial),
        /// Reject a commission
        Reject(CommissionSerial),
        /// Accept and reject commissions in one go
        Resolve(CommissionResolve),
        /// Issue a commission
        Issue(CommissionIssue),
    }
);
/// A commission serial.
#[derive(Args, Debug, Clone)]
pub struct CommissionSerial {
    /// The commission serial
    pub serial: String,
}
/// `commission resolve`
#[derive(Args, Debug, Clone)]
#[command(group = clap::ArgGroup::new("resolution").required(true).multiple(true).args(["accept", "reject"]))]
pub struct CommissionResolve {
    /// Serials to accept (comma separated)
    #[arg(long)]
    pub accept: Option<String>,
    /// Serials to reject (comma separated)
    #[arg(long)]
    pub reject: Option<String>,
}
/// `commission issue`
#[derive(Args, Debug, Clone)]
pub struct CommissionIssue {
    /// User uuid
    #[arg(long, required = true)]
    pub uuid: String,
    /// Commission source (e.g. system)
    #[arg(long, required = true)]
    pub source: String,
    /// JSON file: resource name to quantity
    #[arg(long = "provisions-file", required = true)]
    pub provisions_file: std::path::PathBuf,
    /// Description
    #[arg(long)]
    pub description: Option<String>,
    /// Force the commission
    #[arg(long)]
    pub force: bool,
    /// Accept the commission at once
    #[arg(long)]
    pub accept: bool,
}

group!(
    /// `endpoint` commands (hidden).
    EndpointCmd {
        /// List the endpoints of the service catalog
        List(EndpointList),
    }
);
/// `endpoint list`
#[derive(Args, Debug, Clone, Default)]
pub struct EndpointList {
    /// Only endpoints of this service type
    #[arg(long = "type")]
    pub service_type: Option<String>,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
}

// ---------------------------------------------------------------------------
// Compute

group!(
    /// `server` commands.
    ServerCmd {
        /// List servers
        List(ServerList),
        /// Details of a server
        Info(ServerInfo),
        /// Create a server
        Create(ServerCreate),
        /// Modify a server
        Modify(ServerModify),
        /// Assign a server to another project
        Reassign(ServerReassign),
        /// Delete a server
        Delete(ServerDelete),
        /// Reboot a server
        Reboot(ServerReboot),
        /// Start a stopped server
        Start(ServerIdWait),
        /// Shut down a server
        Shutdown(ServerIdWait),
        /// Put a server in rescue mode
        Rescue(ServerRescue),
        /// Take a server out of rescue mode
        Unrescue(ServerId),
        /// Get a VNC console of a server
        Console(ServerConsole),
        /// Wait for a server to change status
        Wait(ServerWait),
        /// Details of a volume attachment
        Attachment(ServerAttachment),
        /// List the volume attachments of a server
        Attachments(ServerId),
        /// Attach a volume to a server
        Attach(ServerAttach),
        /// Detach a volume from a server
        Detach(ServerDetach),
        /// List the tags of a server
        Tags(ServerId),
        /// Check whether a server has a tag
        Tagexists(ServerTag),
        /// Get the status of a server tag
        Tagstatus(ServerTag),
    }
);
/// A server id.
#[derive(Args, Debug, Clone)]
pub struct ServerId {
    /// The server id
    pub server_id: String,
}
/// A server id and `-w`.
#[derive(Args, Debug, Clone)]
pub struct ServerIdWait {
    /// The server id
    pub server_id: String,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `server list`
#[derive(Args, Debug, Clone, Default)]
pub struct ServerList {
    /// Show full records
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Only servers changed since this date
    #[arg(long)]
    pub since: Option<String>,
    /// Size and presentation
    #[command(flatten)]
    pub shape: ListShape,
    /// Only servers of this flavor
    #[arg(long = "flavor-id")]
    pub flavor_id: Option<String>,
    /// Only servers of this image
    #[arg(long = "image-id")]
    pub image_id: Option<String>,
    /// Only servers of this user (uuid)
    #[arg(long = "user-id")]
    pub user_id: Option<String>,
    /// Only servers of this user (name)
    #[arg(long = "user-name")]
    pub user_name: Option<String>,
    /// Only servers in this status
    #[arg(long)]
    pub status: Option<String>,
    /// Only servers with this metadata KEY=VALUE (repeatable)
    #[arg(long, action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata: Vec<(String, String)>,
    /// Only servers whose metadata KEY contains VALUE (repeatable)
    #[arg(long = "metadata-like", action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata_like: Vec<(String, String)>,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
    /// Id filters
    #[command(flatten)]
    pub ids: IdFilter,
}
/// `server info`
#[derive(Args, Debug, Clone)]
#[command(group = clap::ArgGroup::new("view").args(["nics", "stats", "diagnostics"]))]
pub struct ServerInfo {
    /// The server id
    pub server_id: String,
    /// Show network interfaces
    #[arg(long)]
    pub nics: bool,
    /// Show statistics
    #[arg(long)]
    pub stats: bool,
    /// Show diagnostics
    #[arg(long)]
    pub diagnostics: bool,
}
/// `server create`
#[derive(Args, Debug, Clone)]
pub struct ServerCreate {
    /// Server name (the name prefix with --cluster-size)
    #[arg(long, required = true)]
    pub name: String,
    /// Flavor id
    #[arg(long = "flavor-id", required = true)]
    pub flavor_id: String,
    /// Image id
    #[arg(long = "image-id", required = true)]
    pub image_id: String,
    /// Keypair name (repeatable)
    #[arg(long = "key-name", action = ArgAction::Append)]
    pub key_name: Vec<String>,
    /// File with user data
    #[arg(short = 'u', long = "user-data")]
    pub user_data: Option<std::path::PathBuf>,
    /// Personality: PATH[,SERVER_PATH[,OWNER[,GROUP[,MODE]]]] (repeatable)
    #[arg(short = 'p', long = "personality", action = ArgAction::Append)]
    pub personality: Vec<String>,
    /// Network: [id=]NET[,[ip=]IP] (repeatable)
    #[arg(long, action = ArgAction::Append, conflicts_with = "no_network")]
    pub network: Vec<String>,
    /// Create the server without any network
    #[arg(long = "no-network")]
    pub no_network: bool,
    /// Project id
    #[arg(long = "project-id")]
    pub project_id: Option<String>,
    /// Metadata KEY=VALUE (repeatable)
    #[arg(short = 'm', long, action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata: Vec<(String, String)>,
    /// Create this many servers named NAME1..NAMEN
    #[arg(long = "cluster-size")]
    pub cluster_size: Option<u32>,
    /// Concurrent requests with --cluster-size
    #[arg(long, default_value_t = 1)]
    pub threads: u32,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `server modify`
#[derive(Args, Debug, Clone)]
pub struct ServerModify {
    /// The server id
    pub server_id: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// Resize to this flavor
    #[arg(long = "flavor-id")]
    pub flavor_id: Option<String>,
    /// Firewall profile (ENABLED, DISABLED, PROTECTED)
    #[arg(long, value_parser = ["ENABLED", "DISABLED", "PROTECTED"], ignore_case = true)]
    pub firewall: Option<String>,
    /// The public port for --firewall (* for all)
    #[arg(long = "port-id")]
    pub port_id: Option<String>,
    /// Set metadata KEY=VALUE (repeatable)
    #[arg(long = "metadata-set", action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata_set: Vec<(String, String)>,
    /// Delete metadata KEY (repeatable)
    #[arg(long = "metadata-del", action = ArgAction::Append)]
    pub metadata_del: Vec<String>,
    /// Add a tag (repeatable)
    #[arg(long = "tag-add", action = ArgAction::Append)]
    pub tag_add: Vec<String>,
    /// Delete a tag (repeatable)
    #[arg(long = "tag-del", action = ArgAction::Append)]
    pub tag_del: Vec<String>,
    /// Delete all tags
    #[arg(long = "tags-del")]
    pub tags_del: bool,
    /// Replace all tags with these (repeatable)
    #[arg(long = "tag-replace", action = ArgAction::Append)]
    pub tag_replace: Vec<String>,
}
/// `server reassign`
#[derive(Args, Debug, Clone)]
pub struct ServerReassign {
    /// The server id
    pub server_id: String,
    /// The new project
    #[arg(long = "project-id", required = true)]
    pub project_id: String,
}
/// `server delete`
#[derive(Args, Debug, Clone)]
pub struct ServerDelete {
    /// The server id (a name prefix with --cluster)
    pub server_id: String,
    /// Delete every server whose name starts with the argument
    #[arg(long)]
    pub cluster: bool,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `server reboot`
#[derive(Args, Debug, Clone)]
pub struct ServerReboot {
    /// The server id
    pub server_id: String,
    /// SOFT or HARD
    #[arg(long = "type", default_value = "SOFT", value_parser = ["SOFT", "HARD"], ignore_case = true)]
    pub reboot_type: String,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `server rescue`
#[derive(Args, Debug, Clone)]
pub struct ServerRescue {
    /// The server id
    pub server_id: String,
    /// Rescue image
    #[arg(long = "rescue-image-ref")]
    pub rescue_image_ref: Option<String>,
}
/// `server console`
#[derive(Args, Debug, Clone)]
pub struct ServerConsole {
    /// The server id
    pub server_id: String,
    /// Console type (vnc, vnc-ws, vnc-wss; aliases no-vnc, no-vnc-encrypted)
    #[arg(long = "type", default_value = "vnc",
          value_parser = ["vnc", "vnc-ws", "vnc-wss", "no-vnc", "no-vnc-encrypted"], ignore_case = true)]
    pub console_type: String,
}
/// `server wait`
#[derive(Args, Debug, Clone)]
pub struct ServerWait {
    /// The server id
    pub server_id: String,
    /// Wait mode
    #[command(flatten)]
    pub wait: WaitArgs,
}
/// `server attachment`
#[derive(Args, Debug, Clone)]
pub struct ServerAttachment {
    /// The server id
    pub server_id: String,
    /// The attachment id
    #[arg(long = "attachment-id", required = true)]
    pub attachment_id: String,
}
/// `server attach`
#[derive(Args, Debug, Clone)]
pub struct ServerAttach {
    /// The server id
    pub server_id: String,
    /// The volume id
    #[arg(long = "volume-id", required = true)]
    pub volume_id: String,
}
/// `server detach`
#[derive(Args, Debug, Clone)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["attachment_id", "volume_id"]))]
pub struct ServerDetach {
    /// The server id
    pub server_id: String,
    /// The attachment id
    #[arg(long = "attachment-id")]
    pub attachment_id: Option<String>,
    /// The volume id
    #[arg(long = "volume-id")]
    pub volume_id: Option<String>,
}
/// `server tagexists|tagstatus`
#[derive(Args, Debug, Clone)]
pub struct ServerTag {
    /// The server id
    pub server_id: String,
    /// The tag
    #[arg(short = 't', long, required = true)]
    pub tag: String,
}

group!(
    /// `flavor` commands.
    FlavorCmd {
        /// List flavors
        List(FlavorList),
        /// Details of a flavor
        Info(FlavorId),
    }
);
/// `flavor list`
#[derive(Args, Debug, Clone, Default)]
pub struct FlavorList {
    /// Show full records
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Size and presentation
    #[command(flatten)]
    pub shape: ListShape,
    /// Only flavors with this RAM (MiB)
    #[arg(long)]
    pub ram: Option<u64>,
    /// Only flavors with this many CPUs
    #[arg(long)]
    pub vcpus: Option<u64>,
    /// Only flavors with this disk size (GiB)
    #[arg(long)]
    pub disk: Option<u64>,
    /// Only flavors with this disk template
    #[arg(long = "disk-template")]
    pub disk_template: Option<String>,
    /// Only flavors available to this project
    #[arg(long)]
    pub project: Option<String>,
    /// Only public flavors
    #[arg(long)]
    pub public: bool,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
    /// Id filters
    #[command(flatten)]
    pub ids: IdFilter,
}
/// A flavor id.
#[derive(Args, Debug, Clone)]
pub struct FlavorId {
    /// The flavor id
    pub flavor_id: String,
}

group!(
    /// `keypair` commands.
    KeypairCmd {
        /// List keypairs
        List(KeypairList),
        /// Details of a keypair
        Info(KeypairName),
        /// Delete a keypair
        Delete(KeypairName),
        /// Upload a public key
        Upload(KeypairUpload),
        /// Generate a keypair on the server
        Generate(KeypairGenerate),
    }
);
/// `keypair list`
#[derive(Args, Debug, Clone, Default)]
pub struct KeypairList {
    /// Include the public keys
    #[arg(short = 'l', long = "detail")]
    pub detail: bool,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
}
/// A keypair name.
#[derive(Args, Debug, Clone)]
pub struct KeypairName {
    /// The keypair name
    pub name: String,
}
/// `keypair upload`
#[derive(Args, Debug, Clone)]
pub struct KeypairUpload {
    /// The public key text (not a path)
    #[arg(long = "public-key", required = true)]
    pub public_key: String,
    /// The keypair name (default: generated)
    #[arg(long = "key-name")]
    pub key_name: Option<String>,
    /// Replace a keypair with the same name
    #[arg(short = 'f', long)]
    pub force: bool,
}
/// `keypair generate`
#[derive(Args, Debug, Clone, Default)]
pub struct KeypairGenerate {
    /// The keypair name (default: generated)
    #[arg(long = "key-name")]
    pub key_name: Option<String>,
    /// Replace a keypair with the same name
    #[arg(short = 'f', long)]
    pub force: bool,
}

group!(
    /// `imagecompute` commands.
    ImagecomputeCmd {
        /// List images (compute API)
        List(ImagecomputeList),
        /// Details of an image (compute API)
        Info(ImageId),
        /// Delete an image (and its file)
        Delete(ImageId),
        /// Modify image properties (compute API)
        Modify(ImagecomputeModify),
    }
);
/// `imagecompute list`
#[derive(Args, Debug, Clone, Default)]
pub struct ImagecomputeList {
    /// Show full records
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Size and presentation
    #[command(flatten)]
    pub shape: ListShape,
    /// Only images of this user (uuid)
    #[arg(long = "user-id")]
    pub user_id: Option<String>,
    /// Only images of this user (name)
    #[arg(long = "user-name")]
    pub user_name: Option<String>,
    /// Only images with this metadata KEY=VALUE (repeatable)
    #[arg(long, action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata: Vec<(String, String)>,
    /// Only images whose metadata KEY contains VALUE (repeatable)
    #[arg(long = "metadata-like", action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata_like: Vec<(String, String)>,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
    /// Id filters
    #[command(flatten)]
    pub ids: IdFilter,
}
/// An image id.
#[derive(Args, Debug, Clone)]
pub struct ImageId {
    /// The image id
    pub image_id: String,
}
/// `imagecompute modify`
#[derive(Args, Debug, Clone)]
pub struct ImagecomputeModify {
    /// The image id
    pub image_id: String,
    /// Add a property KEY=VALUE (repeatable)
    #[arg(long = "property-add", action = ArgAction::Append, value_parser = parse_kv)]
    pub property_add: Vec<(String, String)>,
    /// Delete a property (repeatable)
    #[arg(long = "property-del", action = ArgAction::Append)]
    pub property_del: Vec<String>,
}

// ---------------------------------------------------------------------------
// Images (Plankton)

group!(
    /// `image` commands.
    ImageCmd {
        /// List images
        List(ImageList),
        /// Details of an image
        Info(ImageInfo),
        /// Modify an image
        Modify(ImageModify),
        /// Register an image file as an image
        Register(ImageRegister),
        /// Unregister an image (the file stays)
        Unregister(ImageId),
    }
);
/// `image list`
#[derive(Args, Debug, Clone, Default)]
pub struct ImageList {
    /// Show full records
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Only this container format
    #[arg(long = "container-format")]
    pub container_format: Option<String>,
    /// Only this disk format
    #[arg(long = "disk-format")]
    pub disk_format: Option<String>,
    /// Only images with this name
    #[arg(long)]
    pub name: Option<String>,
    /// Only images at least this big
    #[arg(long = "size-min")]
    pub size_min: Option<u64>,
    /// Only images at most this big
    #[arg(long = "size-max")]
    pub size_max: Option<u64>,
    /// Only images in this status
    #[arg(long)]
    pub status: Option<String>,
    /// Sort by [-]FIELD
    #[arg(long, allow_hyphen_values = true)]
    pub order: Option<String>,
    /// Only images of this owner (uuid)
    #[arg(long)]
    pub owner: Option<String>,
    /// Only images of this owner (name)
    #[arg(long = "owner-name")]
    pub owner_name: Option<String>,
    /// Only images with this property KEY=VALUE (repeatable)
    #[arg(long, action = ArgAction::Append, value_parser = parse_kv)]
    pub property: Vec<(String, String)>,
    /// Only images whose property KEY contains VALUE (repeatable)
    #[arg(long = "property-like", action = ArgAction::Append, value_parser = parse_kv)]
    pub property_like: Vec<(String, String)>,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilterNoName,
    /// Id filters
    #[command(flatten)]
    pub ids: IdFilter,
    /// Size and presentation
    #[command(flatten)]
    pub shape: ListShape,
    /// List the members of this image instead
    #[arg(long = "members-of")]
    pub members_of: Option<String>,
}
/// `image info`
#[derive(Args, Debug, Clone)]
pub struct ImageInfo {
    /// The image id
    pub image_id: String,
    /// Show the hashmap of the image file
    #[arg(long)]
    pub hashmap: bool,
}
/// `image modify`
#[derive(Args, Debug, Clone)]
pub struct ImageModify {
    /// The image id
    pub image_id: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// New disk format
    #[arg(long = "disk-format")]
    pub disk_format: Option<String>,
    /// New container format
    #[arg(long = "container-format")]
    pub container_format: Option<String>,
    /// New status
    #[arg(long)]
    pub status: Option<String>,
    /// Make the image public
    #[arg(long, conflicts_with = "private")]
    pub public: bool,
    /// Make the image private
    #[arg(long)]
    pub private: bool,
    /// Set a property KEY=VALUE (repeatable)
    #[arg(short = 'p', long = "property-set", action = ArgAction::Append, value_parser = parse_kv)]
    pub property_set: Vec<(String, String)>,
    /// Delete a property (repeatable)
    #[arg(long = "property-del", action = ArgAction::Append)]
    pub property_del: Vec<String>,
    /// Add a member (repeatable)
    #[arg(long = "member-add", action = ArgAction::Append)]
    pub member_add: Vec<String>,
    /// Remove a member (repeatable)
    #[arg(long = "member-del", action = ArgAction::Append)]
    pub member_del: Vec<String>,
}
/// `image register`
#[derive(Args, Debug, Clone)]
pub struct ImageRegister {
    /// Image name
    #[arg(long, required = true)]
    pub name: String,
    /// Image file location: [pithos://UUID]/CONTAINER/PATH
    #[arg(long, required = true)]
    pub location: String,
    /// Upload this local file first
    #[arg(long = "upload-image-file")]
    pub upload_image_file: Option<std::path::PathBuf>,
    /// Image checksum
    #[arg(long)]
    pub checksum: Option<String>,
    /// Container format
    #[arg(long = "container-format")]
    pub container_format: Option<String>,
    /// Disk format
    #[arg(long = "disk-format")]
    pub disk_format: Option<String>,
    /// Owner name
    #[arg(long = "owner-name")]
    pub owner_name: Option<String>,
    /// Property KEY=VALUE (repeatable)
    #[arg(short = 'p', long, action = ArgAction::Append, value_parser = parse_kv)]
    pub property: Vec<(String, String)>,
    /// Make the image public
    #[arg(long)]
    pub public: bool,
    /// Image size in bytes
    #[arg(long)]
    pub size: Option<u64>,
    /// JSON file with image metadata
    #[arg(long)]
    pub metafile: Option<std::path::PathBuf>,
    /// Overwrite an existing metadata file
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Do not upload a metadata file
    #[arg(long = "no-metafile-upload")]
    pub no_metafile_upload: bool,
    /// Container of the location
    #[arg(short = 'C', long)]
    pub container: Option<String>,
    /// Account of the location
    #[arg(long)]
    pub uuid: Option<String>,
}

// ---------------------------------------------------------------------------
// Networking

group!(
    /// `network` commands.
    NetworkCmd {
        /// List networks
        List(NetworkList),
        /// Details of a network
        Info(NetworkId),
        /// Create a network
        Create(NetworkCreate),
        /// Rename a network
        Modify(NetworkModify),
        /// Assign a network to another project
        Reassign(NetworkReassign),
        /// Delete a network
        Delete(NetworkId),
        /// Connect devices to a network
        Connect(NetworkConnect),
        /// Disconnect devices from a network
        Disconnect(NetworkDisconnect),
    }
);
/// `network list` (and other plain network listings)
#[derive(Args, Debug, Clone, Default)]
pub struct NetworkList {
    /// Show full records
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Show the output through the pager
    #[arg(long)]
    pub more: bool,
    /// Only networks of this user
    #[arg(long = "user-id")]
    pub user_id: Option<String>,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
    /// Id filters
    #[command(flatten)]
    pub ids: IdFilter,
}
/// A network id.
#[derive(Args, Debug, Clone)]
pub struct NetworkId {
    /// The network id
    pub network_id: String,
}
/// `network create`
#[derive(Args, Debug, Clone, Default)]
pub struct NetworkCreate {
    /// Network name
    #[arg(long)]
    pub name: Option<String>,
    /// Share the network with all users
    #[arg(long)]
    pub shared: bool,
    /// Project id
    #[arg(long = "project-id")]
    pub project_id: Option<String>,
    /// Network type
    #[arg(long = "type", default_value = "MAC_FILTERED",
          value_parser = ["MAC_FILTERED", "CUSTOM", "IP_LESS_ROUTED", "PHYSICAL_VLAN"], ignore_case = true)]
    pub network_type: String,
}
/// `network modify`
#[derive(Args, Debug, Clone)]
pub struct NetworkModify {
    /// The network id
    pub network_id: String,
    /// New name
    #[arg(long, required = true)]
    pub name: String,
}
/// `network reassign`
#[derive(Args, Debug, Clone)]
pub struct NetworkReassign {
    /// The network id
    pub network_id: String,
    /// The new project
    #[arg(long = "project-id", required = true)]
    pub project_id: String,
}
/// `network connect`
#[derive(Args, Debug, Clone)]
pub struct NetworkConnect {
    /// The network id
    pub network_id: String,
    /// Device (server) id (repeatable)
    #[arg(long = "device-id", required = true, action = ArgAction::Append)]
    pub device_id: Vec<String>,
    /// Port name
    #[arg(long)]
    pub name: Option<String>,
    /// Security group (repeatable)
    #[arg(short = 'g', long = "security-group", action = ArgAction::Append)]
    pub security_group: Vec<String>,
    /// Subnet id
    #[arg(long = "subnet-id")]
    pub subnet_id: Option<String>,
    /// IP address
    #[arg(long = "ip-address")]
    pub ip_address: Option<String>,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `network disconnect`
#[derive(Args, Debug, Clone)]
pub struct NetworkDisconnect {
    /// The network id
    pub network_id: String,
    /// Device (server) id (repeatable)
    #[arg(long = "device-id", required = true, action = ArgAction::Append)]
    pub device_id: Vec<String>,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}

group!(
    /// `subnet` commands.
    SubnetCmd {
        /// List subnets
        List(SubnetList),
        /// Details of a subnet
        Info(SubnetId),
        /// Create a subnet
        Create(SubnetCreate),
        /// Rename a subnet
        Modify(SubnetModify),
    }
);
/// `subnet list`
#[derive(Args, Debug, Clone, Default)]
pub struct SubnetList {
    /// Show full records
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Show the output through the pager
    #[arg(long)]
    pub more: bool,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
    /// Id filters
    #[command(flatten)]
    pub ids: IdFilter,
}
/// A subnet id.
#[derive(Args, Debug, Clone)]
pub struct SubnetId {
    /// The subnet id
    pub subnet_id: String,
}
/// `subnet create`
#[derive(Args, Debug, Clone)]
pub struct SubnetCreate {
    /// Network id
    #[arg(long = "network-id", required = true)]
    pub network_id: String,
    /// CIDR
    #[arg(long, required = true)]
    pub cidr: String,
    /// Subnet name
    #[arg(long)]
    pub name: Option<String>,
    /// Allocation pool START,END (repeatable)
    #[arg(long = "alloc-pool", action = ArgAction::Append)]
    pub alloc_pool: Vec<String>,
    /// Gateway IP
    #[arg(long, conflicts_with = "no_gateway")]
    pub gateway: Option<String>,
    /// No gateway
    #[arg(long = "no-gateway")]
    pub no_gateway: bool,
    /// Subnet id
    #[arg(long)]
    pub id: Option<String>,
    /// IPv6 subnet
    #[arg(long)]
    pub ipv6: bool,
    /// Enable DHCP
    #[arg(long = "with-dhcp")]
    pub with_dhcp: bool,
}
/// `subnet modify`
#[derive(Args, Debug, Clone)]
pub struct SubnetModify {
    /// The subnet id
    pub subnet_id: String,
    /// New name
    #[arg(long, required = true)]
    pub name: String,
}

group!(
    /// `port` commands.
    PortCmd {
        /// List ports
        List(NetworkList),
        /// Details of a port
        Info(PortId),
        /// Create a port
        Create(PortCreate),
        /// Rename a port
        Modify(PortModify),
        /// Delete a port
        Delete(PortIdWait),
        /// Wait for a port to change status
        Wait(PortWait),
    }
);
/// A port id.
#[derive(Args, Debug, Clone)]
pub struct PortId {
    /// The port id
    pub port_id: String,
}
/// A port id and `-w`.
#[derive(Args, Debug, Clone)]
pub struct PortIdWait {
    /// The port id
    pub port_id: String,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `port create`
#[derive(Args, Debug, Clone)]
pub struct PortCreate {
    /// Network id
    #[arg(long = "network-id", required = true)]
    pub network_id: String,
    /// Device (server) id
    #[arg(long = "device-id", required = true)]
    pub device_id: String,
    /// Port name
    #[arg(long)]
    pub name: Option<String>,
    /// Security group (repeatable)
    #[arg(short = 'g', long = "security-group", action = ArgAction::Append)]
    pub security_group: Vec<String>,
    /// Subnet id
    #[arg(long = "subnet-id")]
    pub subnet_id: Option<String>,
    /// IP address
    #[arg(long = "ip-address")]
    pub ip_address: Option<String>,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `port modify`
#[derive(Args, Debug, Clone)]
pub struct PortModify {
    /// The port id
    pub port_id: String,
    /// New name
    #[arg(long, required = true)]
    pub name: String,
}
/// `port wait`
#[derive(Args, Debug, Clone)]
pub struct PortWait {
    /// The port id
    pub port_id: String,
    /// Wait mode
    #[command(flatten)]
    pub wait: WaitArgs,
}

group!(
    /// `ip` commands.
    IpCmd {
        /// List floating IPs
        List(NoArgs),
        /// Details of a floating IP
        Info(IpId),
        /// Reserve a floating IP
        Create(IpCreate),
        /// Assign a floating IP to another project
        Reassign(IpReassign),
        /// Release a floating IP
        Delete(IpId),
        /// Attach a floating IP to a server
        Attach(IpAttach),
        /// Detach a floating IP from its server
        Detach(IpDetach),
    }
);
/// A floating IP id.
#[derive(Args, Debug, Clone)]
pub struct IpId {
    /// The floating IP id
    pub ip_id: String,
}
/// `ip create`
#[derive(Args, Debug, Clone, Default)]
pub struct IpCreate {
    /// Network id
    #[arg(long = "network-id")]
    pub network_id: Option<String>,
    /// IP address
    #[arg(long)]
    pub address: Option<String>,
    /// Project id
    #[arg(long = "project-id")]
    pub project_id: Option<String>,
}
/// `ip reassign`
#[derive(Args, Debug, Clone)]
pub struct IpReassign {
    /// The floating IP id
    pub ip_id: String,
    /// The new project
    #[arg(long = "project-id", required = true)]
    pub project_id: String,
}
/// `ip attach`
#[derive(Args, Debug, Clone)]
pub struct IpAttach {
    /// The IP address or floating IP id
    pub ip: String,
    /// Server id
    #[arg(long = "server-id", required = true)]
    pub server_id: String,
    /// Port name
    #[arg(long)]
    pub name: Option<String>,
    /// Security group (repeatable)
    #[arg(short = 'g', long = "security-group", action = ArgAction::Append)]
    pub security_group: Vec<String>,
    /// Subnet id
    #[arg(long = "subnet-id")]
    pub subnet_id: Option<String>,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `ip detach`
#[derive(Args, Debug, Clone)]
pub struct IpDetach {
    /// The IP address or floating IP id
    pub ip: String,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}

// ---------------------------------------------------------------------------
// Block storage

group!(
    /// `volume` commands.
    VolumeCmd {
        /// List volumes
        List(DetailsArg),
        /// Details of a volume
        Info(VolumeId),
        /// Create a volume
        Create(VolumeCreate),
        /// Modify a volume
        Modify(VolumeModify),
        /// Assign a volume to another project
        Reassign(VolumeReassign),
        /// Delete a volume
        Delete(VolumeIdWait),
        /// Wait for a volume to change status
        Wait(VolumeWait),
        /// List volume types
        Types(NoArgs),
        /// Details of a volume type
        Type(VolumeTypeId),
    }
);
/// A volume id.
#[derive(Args, Debug, Clone)]
pub struct VolumeId {
    /// The volume id
    pub volume_id: String,
}
/// A volume id and `-w`.
#[derive(Args, Debug, Clone)]
pub struct VolumeIdWait {
    /// The volume id
    pub volume_id: String,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `volume create`
#[derive(Args, Debug, Clone)]
pub struct VolumeCreate {
    /// Size in GiB
    #[arg(long, required = true)]
    pub size: u64,
    /// Volume name
    #[arg(long, required = true)]
    pub name: String,
    /// Attach to this server at creation
    #[arg(long = "server-id")]
    pub server_id: Option<String>,
    /// Description
    #[arg(long)]
    pub description: Option<String>,
    /// Create from this snapshot
    #[arg(long = "snapshot-id")]
    pub snapshot_id: Option<String>,
    /// Create from this image
    #[arg(long = "image-id")]
    pub image_id: Option<String>,
    /// Volume type id
    #[arg(long = "volume-type")]
    pub volume_type: Option<String>,
    /// Metadata KEY=VALUE (repeatable)
    #[arg(long, action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata: Vec<(String, String)>,
    /// Project id
    #[arg(long = "project-id")]
    pub project_id: Option<String>,
    /// Wait
    #[command(flatten)]
    pub wait: WaitFlag,
}
/// `volume modify`
#[derive(Args, Debug, Clone)]
pub struct VolumeModify {
    /// The volume id
    pub volume_id: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// New description
    #[arg(long)]
    pub description: Option<String>,
    /// Delete the volume with its server (true/false)
    #[arg(long = "delete-on-termination", value_parser = parse_bool)]
    pub delete_on_termination: Option<bool>,
}
/// `volume reassign`
#[derive(Args, Debug, Clone)]
pub struct VolumeReassign {
    /// The volume id
    pub volume_id: String,
    /// The new project
    #[arg(long = "project-id", required = true)]
    pub project_id: String,
}
/// `volume wait`
#[derive(Args, Debug, Clone)]
pub struct VolumeWait {
    /// The volume id
    pub volume_id: String,
    /// Wait mode
    #[command(flatten)]
    pub wait: WaitArgs,
}
/// A volume type id.
#[derive(Args, Debug, Clone)]
pub struct VolumeTypeId {
    /// The volume type id
    pub type_id: String,
}

group!(
    /// `snapshot` commands.
    SnapshotCmd {
        /// List snapshots
        List(DetailsArg),
        /// Details of a snapshot
        Info(SnapshotId),
        /// Create a snapshot of a volume
        Create(SnapshotCreate),
        /// Modify a snapshot
        Modify(SnapshotModify),
        /// Delete a snapshot
        Delete(SnapshotId),
    }
);
/// A snapshot id.
#[derive(Args, Debug, Clone)]
pub struct SnapshotId {
    /// The snapshot id
    pub snapshot_id: String,
}
/// `snapshot create`
#[derive(Args, Debug, Clone)]
pub struct SnapshotCreate {
    /// The volume id
    #[arg(long = "volume-id", required = true)]
    pub volume_id: String,
    /// Snapshot name
    #[arg(long)]
    pub name: Option<String>,
    /// Description
    #[arg(long)]
    pub description: Option<String>,
}
/// `snapshot modify`
#[derive(Args, Debug, Clone)]
pub struct SnapshotModify {
    /// The snapshot id
    pub snapshot_id: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// New description
    #[arg(long)]
    pub description: Option<String>,
}

// ---------------------------------------------------------------------------
// Object storage (Pithos)

/// `-A/--account` and `-C/--container`.
#[derive(Args, Debug, Clone, Default)]
pub struct PithosScope {
    /// Account: a user uuid or name (default: the session user)
    #[arg(short = 'A', long)]
    pub account: Option<String>,
    /// Container, when the location has none
    #[arg(short = 'C', long)]
    pub container: Option<String>,
}

/// HTTP preconditions.
#[derive(Args, Debug, Clone, Default)]
pub struct Preconditions {
    /// Only if the ETag matches
    #[arg(long = "if-match")]
    pub if_match: Option<String>,
    /// Only if the ETag does not match
    #[arg(long = "if-none-match")]
    pub if_none_match: Option<String>,
    /// Only if modified since this date
    #[arg(long = "if-modified-since")]
    pub if_modified_since: Option<String>,
    /// Only if not modified since this date
    #[arg(long = "if-unmodified-since")]
    pub if_unmodified_since: Option<String>,
}

group!(
    /// `file` commands.
    FileCmd {
        /// List objects
        List(FileList),
        /// Details of an object
        Info(FileInfo),
        /// Create an empty object
        Create(FileCreate),
        /// Create a directory object
        Mkdir(FileLocation),
        /// Modify permissions and metadata of an object
        Modify(FileModify),
        /// Publish an object and print its public URL
        Publish(FileLocation),
        /// Unpublish an object
        Unpublish(FileLocation),
        /// Delete objects
        Delete(FileDelete),
        /// Copy objects
        Copy(FileCopy),
        /// Move objects
        Move(FileCopy),
        /// Append a local file to an object
        Append(FileAppend),
        /// Truncate an object
        Truncate(FileTruncate),
        /// Overwrite part of an object with a local file
        Overwrite(FileOverwrite),
        /// Upload files
        Upload(FileUpload),
        /// Print an object to stdout
        Cat(FileCat),
        /// Download objects
        Download(FileDownload),
    }
);
/// `file list`
#[derive(Args, Debug, Clone, Default)]
pub struct FileList {
    /// Location: /CONTAINER[/PATH], PATH or pithos://UUID/CONTAINER[/PATH]
    pub location: Option<String>,
    /// Show details
    #[arg(short = 'l', long = "list")]
    pub list: bool,
    /// Size and presentation
    #[command(flatten)]
    pub shape: ListShape,
    /// Continue after this object
    #[arg(long)]
    pub marker: Option<String>,
    /// Delimiter
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Only objects with these metadata keys
    #[arg(long)]
    pub meta: Option<String>,
    /// Only if modified since this date
    #[arg(long = "if-modified-since")]
    pub if_modified_since: Option<String>,
    /// Only if not modified since this date
    #[arg(long = "if-unmodified-since")]
    pub if_unmodified_since: Option<String>,
    /// The listing as it was at this date
    #[arg(long)]
    pub until: Option<String>,
    /// Only objects shared by me
    #[arg(long = "shared-by-me")]
    pub shared_by_me: bool,
    /// Only public objects
    #[arg(long)]
    pub public: bool,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// One Pithos location.
#[derive(Args, Debug, Clone)]
pub struct FileLocation {
    /// Location: /CONTAINER/PATH, PATH or pithos://UUID/CONTAINER/PATH
    pub location: String,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file info`
#[derive(Args, Debug, Clone)]
pub struct FileInfo {
    /// Location
    pub location: String,
    /// A specific version
    #[arg(long = "object-version")]
    pub object_version: Option<String>,
    /// Show the hashmap
    #[arg(long)]
    pub hashmap: bool,
    /// Preconditions (with --hashmap)
    #[command(flatten)]
    pub pre: Preconditions,
    /// Show sharing permissions and public URL
    #[arg(long)]
    pub sharing: bool,
    /// Show metadata
    #[arg(long)]
    pub metadata: bool,
    /// List the versions
    #[arg(long = "object-versions")]
    pub object_versions: bool,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file create`
#[derive(Args, Debug, Clone)]
pub struct FileCreate {
    /// Location
    pub location: String,
    /// Content type
    #[arg(long = "content-type", default_value = "application/octet-stream")]
    pub content_type: String,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file modify`
#[derive(Args, Debug, Clone)]
pub struct FileModify {
    /// Location
    pub location: String,
    /// Give read access: UUID, UUID:GROUP or * (repeatable)
    #[arg(long = "read-permission", action = ArgAction::Append)]
    pub read_permission: Vec<String>,
    /// Give write access: UUID, UUID:GROUP or * (repeatable)
    #[arg(long = "write-permission", action = ArgAction::Append)]
    pub write_permission: Vec<String>,
    /// Remove all permissions
    #[arg(long = "no-permissions", conflicts_with_all = ["read_permission", "write_permission"])]
    pub no_permissions: bool,
    /// Add metadata KEY=VALUE (repeatable)
    #[arg(long = "metadata-add", action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata_add: Vec<(String, String)>,
    /// Delete metadata KEY (repeatable)
    #[arg(long = "metadata-del", action = ArgAction::Append)]
    pub metadata_del: Vec<String>,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file delete`
#[derive(Args, Debug, Clone)]
pub struct FileDelete {
    /// Location (a bare /CONTAINER empties the container)
    pub location: String,
    /// Do not ask
    #[arg(long)]
    pub yes: bool,
    /// Delete directory contents too
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Delete the history until this date
    #[arg(long)]
    pub until: Option<String>,
    /// Delimiter
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file copy|move`
#[derive(Args, Debug, Clone)]
pub struct FileCopy {
    /// Source location
    pub source: String,
    /// Destination location
    pub destination: Option<String>,
    /// Destination account
    #[arg(long = "to-account")]
    pub to_account: Option<String>,
    /// Destination container
    #[arg(long = "to-container")]
    pub to_container: Option<String>,
    /// Everything prefixed by the source
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Overwrite
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Source version
    #[arg(long = "source-version")]
    pub source_version: Option<String>,
    /// Make the destination public
    #[arg(long)]
    pub public: bool,
    /// Content type of the destination
    #[arg(long = "content-type")]
    pub content_type: Option<String>,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file append`
#[derive(Args, Debug, Clone)]
pub struct FileAppend {
    /// Local file
    pub local: std::path::PathBuf,
    /// Location
    pub location: String,
    /// Concurrent block uploads
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file truncate`
#[derive(Args, Debug, Clone)]
pub struct FileTruncate {
    /// Location
    pub location: String,
    /// New size in bytes
    #[arg(long, required = true)]
    pub size: u64,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file overwrite`
#[derive(Args, Debug, Clone)]
pub struct FileOverwrite {
    /// Local file
    pub local: std::path::PathBuf,
    /// Location
    pub location: String,
    /// First byte to overwrite
    #[arg(long = "from")]
    pub from: Option<u64>,
    /// Last byte to overwrite
    #[arg(long = "to", required = true)]
    pub to: u64,
    /// Object version
    #[arg(long = "object-version")]
    pub object_version: Option<String>,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file upload`
#[derive(Args, Debug, Clone)]
pub struct FileUpload {
    /// Local file or directory
    pub local: std::path::PathBuf,
    /// Location (default: /pithos/<name>)
    pub location: Option<String>,
    /// Concurrent block uploads
    #[arg(long, default_value_t = 5)]
    pub threads: usize,
    /// Content-Encoding
    #[arg(long = "content-encoding")]
    pub content_encoding: Option<String>,
    /// Content-Disposition
    #[arg(long = "content-disposition")]
    pub content_disposition: Option<String>,
    /// Content-Type (default: guessed)
    #[arg(long = "content-type")]
    pub content_type: Option<String>,
    /// Give read access (repeatable)
    #[arg(long = "read-permission", action = ArgAction::Append)]
    pub read_permission: Vec<String>,
    /// Give write access (repeatable)
    #[arg(long = "write-permission", action = ArgAction::Append)]
    pub write_permission: Vec<String>,
    /// Publish and print the public URL
    #[arg(long)]
    pub public: bool,
    /// Overwrite or resume
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Upload directories
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Upload in one request, without hashmaps
    #[arg(long)]
    pub unchunked: bool,
    /// The MD5 of the file
    #[arg(long)]
    pub etag: Option<String>,
    /// The local file is a hashmap (JSON)
    #[arg(long = "source-is-hashmap")]
    pub source_is_hashmap: bool,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file cat`
#[derive(Args, Debug, Clone)]
pub struct FileCat {
    /// Location
    pub location: String,
    /// Byte ranges: N, START-END, -LAST (comma separated)
    #[arg(long, allow_hyphen_values = true)]
    pub range: Option<String>,
    /// Preconditions
    #[command(flatten)]
    pub pre: Preconditions,
    /// Object version
    #[arg(long = "object-version")]
    pub object_version: Option<String>,
    /// Blocks kept in memory (at least 1)
    #[arg(long = "buffer-blocks", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub buffer_blocks: u32,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}
/// `file download`
#[derive(Args, Debug, Clone)]
pub struct FileDownload {
    /// Location
    pub location: String,
    /// Local path (default: ./<name>)
    pub local: Option<std::path::PathBuf>,
    /// Overwrite or resume
    #[arg(short = 'f', long = "resume")]
    pub resume: bool,
    /// Byte ranges
    #[arg(long, allow_hyphen_values = true)]
    pub range: Option<String>,
    /// Preconditions
    #[command(flatten)]
    pub pre: Preconditions,
    /// Object version
    #[arg(long = "object-version")]
    pub object_version: Option<String>,
    /// Concurrent block downloads
    #[arg(long, default_value_t = 5)]
    pub threads: usize,
    /// Download directories
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Account and container
    #[command(flatten)]
    pub scope: PithosScope,
}

group!(
    /// `container` commands.
    ContainerCmd {
        /// List containers
        List(ContainerList),
        /// Details of a container
        Info(ContainerInfo),
        /// Create a container
        Create(ContainerCreate),
        /// Modify a container
        Modify(ContainerModify),
        /// Delete all objects of a container
        Empty(ContainerEmpty),
        /// Delete a container
        Delete(ContainerDelete),
        /// Assign a container to another project
        Reassign(ContainerReassign),
    }
);
/// `container list`
#[derive(Args, Debug, Clone, Default)]
pub struct ContainerList {
    /// List the objects of this container instead
    pub container: Option<String>,
    /// Show details
    #[arg(short = 'l', long = "list")]
    pub list: bool,
    /// Size and presentation
    #[command(flatten)]
    pub shape: ListShape,
    /// Continue after this container
    #[arg(long)]
    pub marker: Option<String>,
    /// Only if modified since this date
    #[arg(long = "if-modified-since")]
    pub if_modified_since: Option<String>,
    /// Only if not modified since this date
    #[arg(long = "if-unmodified-since")]
    pub if_unmodified_since: Option<String>,
    /// The listing as it was at this date
    #[arg(long)]
    pub until: Option<String>,
    /// Only containers shared with me
    #[arg(long)]
    pub shared: bool,
    /// Only containers shared by me
    #[arg(long = "shared-by-me")]
    pub shared_by_me: bool,
    /// Only public
    #[arg(long)]
    pub public: bool,
    /// Also list the objects of each container
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Name filters
    #[command(flatten)]
    pub names: NameFilter,
    /// Account: a user uuid or name
    #[arg(short = 'A', long)]
    pub account: Option<String>,
}
/// `container info`
#[derive(Args, Debug, Clone)]
pub struct ContainerInfo {
    /// The container
    pub container: String,
    /// As it was at this date
    #[arg(long)]
    pub until: Option<String>,
    /// Show metadata
    #[arg(long)]
    pub metadata: bool,
    /// Show the size limit
    #[arg(long = "size-limit")]
    pub size_limit: bool,
    /// Sizes in bytes
    #[arg(short = 'b', long)]
    pub bytes: bool,
    /// Account: a user uuid or name
    #[arg(short = 'A', long)]
    pub account: Option<String>,
}
/// `container create`
#[derive(Args, Debug, Clone)]
pub struct ContainerCreate {
    /// The container
    pub container: String,
    /// Versioning (auto, none)
    #[arg(long, value_parser = ["auto", "none"], ignore_case = true)]
    pub versioning: Option<String>,
    /// Size limit in bytes
    #[arg(long)]
    pub limit: Option<String>,
    /// Metadata KEY=VALUE (repeatable)
    #[arg(long, action = ArgAction::Append, value_parser = parse_kv)]
    pub meta: Vec<(String, String)>,
    /// Project id
    #[arg(long = "project-id")]
    pub project_id: Option<String>,
    /// Account: a user uuid or name
    #[arg(short = 'A', long)]
    pub account: Option<String>,
}
/// `container modify`
#[derive(Args, Debug, Clone)]
pub struct ContainerModify {
    /// The container
    pub container: String,
    /// Add metadata KEY=VALUE (repeatable)
    #[arg(long = "metadata-add", action = ArgAction::Append, value_parser = parse_kv)]
    pub metadata_add: Vec<(String, String)>,
    /// Delete metadata KEY (repeatable)
    #[arg(long = "metadata-del", action = ArgAction::Append)]
    pub metadata_del: Vec<String>,
    /// Size limit, units allowed (0 = unlimited)
    #[arg(long = "size-limit")]
    pub size_limit: Option<String>,
    /// Versioning (auto, none)
    #[arg(long, value_parser = ["auto", "none"], ignore_case = true)]
    pub versioning: Option<String>,
    /// Account: a user uuid or name
    #[arg(short = 'A', long)]
    pub account: Option<String>,
}
/// `container empty`
#[derive(Args, Debug, Clone)]
pub struct ContainerEmpty {
    /// The container
    pub container: String,
    /// Do not ask
    #[arg(long)]
    pub yes: bool,
    /// Account: a user uuid or name
    #[arg(short = 'A', long)]
    pub account: Option<String>,
}
/// `container delete`
#[derive(Args, Debug, Clone)]
pub struct ContainerDelete {
    /// The container
    pub container: String,
    /// Do not ask
    #[arg(long)]
    pub yes: bool,
    /// Delete the contents too
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Account: a user uuid or name
    #[arg(short = 'A', long)]
    pub account: Option<String>,
}
/// `container reassign`
#[derive(Args, Debug, Clone)]
pub struct ContainerReassign {
    /// The container
    pub container: String,
    /// The new project
    #[arg(long = "project-id", required = true)]
    pub project_id: String,
    /// Account: a user uuid or name
    #[arg(short = 'A', long)]
    pub account: Option<String>,
}

group!(
    /// `sharer` commands.
    SharerCmd {
        /// List the accounts that share objects with me
        List(SharerList),
        /// Details of an account
        Info(SharerInfo),
    }
);
/// `sharer list`
#[derive(Args, Debug, Clone, Default)]
pub struct SharerList {
    /// Show details
    #[arg(short = 'l', long = "details")]
    pub details: bool,
    /// Continue after this account
    #[arg(long)]
    pub marker: Option<String>,
}
/// `sharer info`
#[derive(Args, Debug, Clone, Default)]
pub struct SharerInfo {
    /// Account uuid or name (default: mine)
    pub account: Option<String>,
}

group!(
    /// `group` commands.
    GroupCmd {
        /// List user groups
        List(NoArgs),
        /// Create a user group
        Create(GroupCreate),
        /// Delete a user group
        Delete(GroupName),
    }
);
/// `group create`
#[derive(Args, Debug, Clone)]
#[command(group = clap::ArgGroup::new("members").required(true).multiple(true).args(["uuid", "username"]))]
pub struct GroupCreate {
    /// Group name
    pub name: String,
    /// Member uuid (repeatable)
    #[arg(long, action = ArgAction::Append)]
    pub uuid: Vec<String>,
    /// Member name (repeatable)
    #[arg(long, action = ArgAction::Append)]
    pub username: Vec<String>,
}
/// A group name.
#[derive(Args, Debug, Clone)]
pub struct GroupName {
    /// Group name
    pub name: String,
}

// ---------------------------------------------------------------------------
// Local groups

group!(
    /// `config` commands.
    ConfigCmd {
        /// List all configuration options
        List(ConfigList),
        /// Show a configuration option
        Get(ConfigGet),
        /// Set a configuration option
        Set(ConfigSet),
        /// Delete a configuration option
        Delete(ConfigDelete),
    }
);
/// `config list`
#[derive(Args, Debug, Clone, Default)]
pub struct ConfigList {
    /// Add descriptions to the listed options
    #[arg(long = "with-description")]
    pub with_description: bool,
    /// List every option known to kamaki, set or not
    #[arg(long = "describe-option-keys")]
    pub describe_option_keys: bool,
}
/// `config get OPTION`
#[derive(Args, Debug, Clone)]
#[command(after_help = ABOUT_OPTIONS)]
pub struct ConfigGet {
    /// [section.]option, cloud, cloud.NAME or cloud.NAME.option
    pub option: String,
}
/// `config set OPTION VALUE`
#[derive(Args, Debug, Clone)]
#[command(after_help = ABOUT_OPTIONS)]
pub struct ConfigSet {
    /// [section.]option or cloud.NAME.option
    pub option: String,
    /// The value
    #[arg(allow_hyphen_values = true)]
    pub value: String,
}
/// `config delete OPTION`
#[derive(Args, Debug, Clone)]
#[command(after_help = ABOUT_OPTIONS)]
pub struct ConfigDelete {
    /// [section.]option, cloud.NAME or cloud.NAME.option
    pub option: String,
    /// Also drop the built-in default (for this run only)
    #[arg(long)]
    pub default: bool,
}

const ABOUT_OPTIONS: &str = "About options:
  syntax: [group.]option         e.g. global.log_file
  <option> means global.<option>
  named clouds: cloud.<name>.<option>, e.g. cloud.demo.url
  In the file, a cloud \"demo\" is:
    [cloud \"demo\"]
    url = <single authentication URL of demo>
    token = <token from demo>";

group!(
    /// `history` commands.
    HistoryCmd {
        /// Show the command history
        Show(HistoryShow),
        /// Clean up the history (permanent)
        Clean(NoArgs),
    }
);
/// `history show [SLICE]`
#[derive(Args, Debug, Clone, Default)]
pub struct HistoryShow {
    /// N, :N, N: or A:B
    #[arg(allow_hyphen_values = true)]
    pub slice: Option<String>,
    /// Show lines containing all these terms
    #[arg(long = "match")]
    pub match_terms: Option<String>,
}

group!(
    /// `scripts` commands.
    ScriptsCmd {
        /// Check (and fix) the directory structure of a container
        Verifyfs(ScriptsVerifyfs),
    }
);
/// `scripts verifyfs CONT`
#[derive(Args, Debug, Clone)]
pub struct ScriptsVerifyfs {
    /// The container
    pub container: String,
    /// Rename objects that clash with directories
    #[arg(long = "fix-conflicts")]
    pub fix_conflicts: bool,
    /// Fix directory names containing \
    #[arg(long = "fix-dir-names")]
    pub fix_dir_names: bool,
    /// Create missing directory objects
    #[arg(long = "fix-missing-dirs")]
    pub fix_missing_dirs: bool,
    /// Do not ask
    #[arg(long)]
    pub yes: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn visible_command_count_matches_kamaki() {
        let cmd = Cli::command();
        let mut visible = 0;
        let mut all = 0;
        let mut groups = 0;
        for g in cmd
            .get_subcommands()
            .filter(|g| g.get_name() != "completion")
        {
            groups += 1;
            let n = g.get_subcommands().count();
            all += n;
            if !g.is_hide_set() {
                visible += n;
            }
        }
        assert_eq!(groups, 26);
        assert_eq!(all, 153);
        assert_eq!(visible, 142);
    }

    #[test]
    fn kv_and_bool_parsers() {
        assert_eq!(parse_kv("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_kv("novalue").is_err());
        assert!(parse_bool("TRUE").unwrap());
        assert!(!parse_bool("false").unwrap());
        assert!(parse_bool("yes").is_err());
    }
}
