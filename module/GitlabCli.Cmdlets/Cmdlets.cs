// The four personal access token cmdlets: their parameters (the documented surface) and how a
// record's parameters become protocol params (with the rotation, revocation and list bases).
// Everything else is the shared pipeline (TokenChangeCmdlet) or the engine.
using System;
using System.Globalization;
using System.Management.Automation;

namespace GitlabCli
{
    [Cmdlet(VerbsCommon.New, "GitlabPersonalAccessToken", SupportsShouldProcess = true)]
    [OutputType("Gitlab.NewPersonalAccessToken")]
    public sealed class NewGitlabPersonalAccessTokenCommand : TokenChangeCmdlet
    {
        private string userId;
        private string name;

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Username")]
        public string UserId { get { return userId; } set { userId = value; Binding.Set(nameof(UserId), value != null); } }

        [Parameter(Position = 1, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string Name { get { return name; } set { name = value; Binding.Set(nameof(Name), value != null); } }

        [Parameter(Position = 2, Mandatory = true)]
        [ArgumentCompleter(typeof(ScopeCompleter))]
        public string[] Scope { get; set; }

        [Parameter(Position = 3)]
        [ExpiryDate]
        public string ExpiresAt { get; set; }

        [Parameter(Position = 4)]
        [WholeMonths]
        public uint ExpireInMonths { get; set; }

        [Parameter(Position = 5)]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get; set; }

        [Parameter]
        public SwitchParameter CopyToClipboard { get; set; }

        protected override string Command => "create-personal-access-token";
        protected override string Activity => "Creating personal access tokens";
        protected override string MaybeDone => "The token for {0} may have been created";
        protected override string NotDone => "No token was created for {0}";
        protected override bool CopyToClipboardGiven => CopyToClipboard.IsPresent;
        protected override string TypedExpiry => ExpiresAt;

        protected override ParamsWriter RecordParams()
        {
            // `user` only when UserId is bound for this record (even empty: the engine refuses a
            // blank user rather than create the token for the caller).
            return new ParamsWriter()
                .Text("user", Binding.IsBound(nameof(UserId)) ? UserId ?? "" : null)
                .Text("name", Name ?? "")
                .Texts("scopes", Scope ?? new string[0])
                .Text("expires_at", MyInvocation.BoundParameters.ContainsKey(nameof(ExpiresAt)) ? ExpiresAt ?? "" : null)
                .Number("expire_in_months", MyInvocation.BoundParameters.ContainsKey(nameof(ExpireInMonths)) ? (long?)ExpireInMonths : null)
                .Text("site_url", SiteUrl)
                .Flag("copy_to_clipboard", CopyToClipboard.IsPresent);
        }

        protected override string DescribeRecord()
        {
            return "the token '" + Name + "'" + (Binding.IsBound(nameof(UserId)) ? " for user '" + UserId + "'" : "");
        }
    }

    [Cmdlet(VerbsLifecycle.Invoke, "GitlabPersonalAccessTokenRotation", DefaultParameterSetName = "Id", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType("Gitlab.NewPersonalAccessToken", "Gitlab.PersonalAccessToken")]
    [Alias("Rotate-GitlabPersonalAccessToken")]
    public sealed class InvokeGitlabPersonalAccessTokenRotationCommand : TokenRotationCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string TokenId { get; set; }

        /// <summary>With -Self: the new token goes into the config file's entry for the site in use, and is output without its value.</summary>
        [Parameter(ParameterSetName = "Self")]
        public SwitchParameter SaveToConfig { get; set; }

        protected override string Command => "rotate-personal-access-token";
        protected override string Activity => "Rotating personal access tokens";
        protected override string TokenIdGiven => TokenId;
        protected override string TokenNoun => "personal access token";

        protected override ParamsWriter RecordParams()
        {
            return base.RecordParams().Flag("save_to_config", SaveToConfig.IsPresent);
        }

        /// <summary>Saved to the config file: the token without its value (a failed save keeps it, with the engine's warning).</summary>
        protected override void Deliver(QueuedChange item, EngineMessage result)
        {
            if (!Json.Flag(result.Result, "saved_to_config")) { base.Deliver(item, result); return; }
            var token = TokenRecords.Listed(result.Result);
            token.Properties.Add(new PSNoteProperty("SavedToConfig", true));
            item.Token = token;
            WriteHostLine("Rotated " + item.Target + ": the new token " + TokenRecords.Describe(token) + " was saved to the config file, and the old one no longer works.");
            WriteObject(token);
            item.Delivered = true;
        }
    }

    [Cmdlet(VerbsSecurity.Revoke, "GitlabPersonalAccessToken", DefaultParameterSetName = "Id", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(long))]
    [Alias("Remove-GitlabPersonalAccessToken")]
    public sealed class RevokeGitlabPersonalAccessTokenCommand : TokenRevocationCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string TokenId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Self")]
        public SwitchParameter Self { get; set; }

        protected override string Command => "revoke-personal-access-token";
        protected override string Activity => "Revoking personal access tokens";
        protected override string TokenIdGiven => ParameterSetName == "Self" ? "self" : TokenId;
    }

    [Cmdlet(VerbsCommon.Get, "GitlabPersonalAccessToken", DefaultParameterSetName = ListSet)]
    [OutputType("Gitlab.PersonalAccessToken")]
    public sealed class GetGitlabPersonalAccessTokenCommand : TokenListCmdlet
    {
        private string userId;

        [Parameter(Position = 0, Mandatory = true, ParameterSetName = "Id")]
        [Alias("Id")]
        public string TokenId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Self")]
        public SwitchParameter Self { get; set; }

        [Parameter(ParameterSetName = ListSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Username", "EmailAddress")]
        public string UserId { get { return userId; } set { userId = value; Binding.Set(nameof(UserId), value != null); } }

        [Parameter(ParameterSetName = ListSet)]
        public SwitchParameter Mine { get; set; }

        protected override string ListCommand => "list-personal-access-tokens";
        protected override string GetCommand => "get-personal-access-token";
        protected override string Noun => "personal access tokens";
        protected override string OneToken => ParameterSetName == ListSet ? null : ParameterSetName == "Self" ? "self" : TokenId ?? "";

        protected override ParamsWriter Whose(ParamsWriter writer, bool listing)
        {
            if (!listing) { return writer; }
            return writer.Text("user", Binding.IsBound(nameof(UserId)) ? UserId ?? "" : null).Flag("mine", Mine.IsPresent);
        }
    }
}
