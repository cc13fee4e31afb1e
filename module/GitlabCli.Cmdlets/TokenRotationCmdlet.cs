// What every rotation and every revocation shares, whoever owns the token (a user, a group, a
// project): their parameters beyond the token and its owner, the refusal of a piped revoked or
// inactive token's state, one request at a time, and what a revocation outputs. The subclasses
// add the token id (whose position differs) and the owner.
using System.Management.Automation;

namespace GitlabCli
{
    public abstract class TokenRotationCmdlet : TokenChangeCmdlet
    {
        private string siteUrl;

        [Parameter(Mandatory = true, ParameterSetName = "Self")]
        public SwitchParameter Self { get; set; }

        [Parameter]
        [ExpiryDate]
        public string ExpiresAt { get; set; }

        [Parameter]
        [WholeMonths]
        public uint ExpireInMonths { get; set; }

        [Parameter]
        public SwitchParameter CopyToClipboard { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get { return siteUrl; } set { siteUrl = value; Binding.Set(nameof(SiteUrl), !string.IsNullOrEmpty(value)); } }

        /// <summary>Rotates a token that is inactive (expired) anyway; never a revoked one (the engine refuses those).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        // A piped token's state, as the Get cmdlets output it: read only from piped objects
        // (hidden, and refused on the command line), per record (a record without the property
        // sends nothing; PowerShell's reset to the default null unbinds it). [object], so the reset
        // is told apart from a real $false and Import-Csv's 'True'/'False' are read too.
        private object active;
        private object revoked;

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public object Active { get { return active; } set { active = value; Binding.Set(nameof(Active), value != null); } }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public object Revoked { get { return revoked; } set { revoked = value; Binding.Set(nameof(Revoked), value != null); } }

        /// <summary>The token of this record: its id, or self.</summary>
        protected abstract string TokenIdGiven { get; }

        /// <summary>"personal access token" and the like, for messages.</summary>
        protected abstract string TokenNoun { get; }

        /// <summary>Writes whose token it is (nothing for a personal token).</summary>
        protected virtual ParamsWriter Whose(ParamsWriter writer) { return writer; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            PipedState.RefuseFromCommandLine(Binding, BindingProblems, ListCmdlet);
        }

        protected override string MaybeDone => "{0} may have been rotated (the old token revoked, a new one created)";
        protected override string NotDone => "{0} was not rotated";
        protected override bool CopyToClipboardGiven => CopyToClipboard.IsPresent;
        protected override bool RevokeWhenStopped => false;
        protected override string TypedExpiry => ExpiresAt;
        // One rotation at a time: each revokes a token someone may be using.
        protected override int RunWindow => 1;

        protected override ParamsWriter RecordParams()
        {
            return Whose(new ParamsWriter())
                .Text("token_id", ParameterSetName == "Self" ? "self" : TokenIdGiven ?? "")
                .Text("expires_at", MyInvocation.BoundParameters.ContainsKey(nameof(ExpiresAt)) ? ExpiresAt ?? "" : null)
                .Number("expire_in_months", MyInvocation.BoundParameters.ContainsKey(nameof(ExpireInMonths)) ? (long?)ExpireInMonths : null)
                .Flag("copy_to_clipboard", CopyToClipboard.IsPresent)
                .Text("site_url", Binding.IsBound(nameof(SiteUrl)) ? SiteUrl : null)
                .FlagValue("active", PipedState.Piped(Binding, nameof(Active), active, ListCmdlet))
                .FlagValue("revoked", PipedState.Piped(Binding, nameof(Revoked), revoked, ListCmdlet))
                .Flag("force", Force.IsPresent);
        }

        protected override string ShownTarget(string planTarget) { return WithPipedName(planTarget); }

        protected override string ClipboardLine(PSObject token, QueuedChange item)
        {
            return "Copied the rotated " + TokenNoun + " '" + token.Properties["Name"]?.Value + "' (new id " + token.Properties["Id"]?.Value
                + ") to the clipboard; the old one no longer works. GitLab shows the new token only this once: paste it where it belongs now.";
        }
    }

    public abstract class TokenRevocationCmdlet : TokenChangeCmdlet
    {
        private string siteUrl;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get { return siteUrl; } set { siteUrl = value; Binding.Set(nameof(SiteUrl), !string.IsNullOrEmpty(value)); } }

        /// <summary>The token of this record: its id, or self.</summary>
        protected abstract string TokenIdGiven { get; }

        /// <summary>Writes whose token it is (nothing for a personal token).</summary>
        protected virtual ParamsWriter Whose(ParamsWriter writer) { return writer; }

        protected override string MaybeDone => "{0} may have been revoked";
        protected override string NotDone => "{0} was not revoked";
        protected override int RunWindow => 1;

        protected override ParamsWriter RecordParams()
        {
            return Whose(new ParamsWriter())
                .Text("token_id", TokenIdGiven ?? "")
                .Text("site_url", Binding.IsBound(nameof(SiteUrl)) ? SiteUrl : null);
        }

        protected override string ShownTarget(string planTarget) { return WithPipedName(planTarget); }

        protected override void Deliver(QueuedChange item, EngineMessage result)
        {
            item.Delivered = true;
            if (!PassThru.IsPresent) { return; }
            long? id = Json.Whole(result.Result, "revoked_id");
            if (id.HasValue) { WriteObject(id.Value); }
            else { WriteWarning("Revoked " + item.Target + ", but GitLab did not say its id."); }
        }
    }
}
