// The four cmdlets: their parameters (the documented surface) and how a record's parameters
// become protocol params. Everything else is the shared pipeline (TokenChangeCmdlet) or the engine.
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
            return "checking the token '" + Name + "'" + (Binding.IsBound(nameof(UserId)) ? " for user '" + UserId + "'" : "");
        }
    }

    [Cmdlet(VerbsLifecycle.Invoke, "GitlabPersonalAccessTokenRotation", DefaultParameterSetName = "Id", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType("Gitlab.NewPersonalAccessToken", "Gitlab.PersonalAccessToken")]
    [Alias("Rotate-GitlabPersonalAccessToken")]
    public sealed class InvokeGitlabPersonalAccessTokenRotationCommand : TokenChangeCmdlet
    {
        private string siteUrl;

        [Parameter(Position = 0, Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string TokenId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Self")]
        public SwitchParameter Self { get; set; }

        /// <summary>With -Self: the new token goes into the config file's entry for the site in use, and is output without its value.</summary>
        [Parameter(ParameterSetName = "Self")]
        public SwitchParameter SaveToConfig { get; set; }

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

        // A piped token's state, as Get-GitlabPersonalAccessToken outputs it: read only from piped
        // objects (hidden, and refused on the command line), per record (a record without the
        // property sends nothing; PowerShell's reset to the default null unbinds it). [object], so
        // the reset is told apart from a real $false and Import-Csv's 'True'/'False' are read too.
        private object active;
        private object revoked;

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public object Active { get { return active; } set { active = value; Binding.Set(nameof(Active), value != null); } }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public object Revoked { get { return revoked; } set { revoked = value; Binding.Set(nameof(Revoked), value != null); } }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            foreach (var name in new[] { nameof(Active), nameof(Revoked) })
            {
                if (!Binding.FromCommandLine(name)) { continue; }
                BindingProblems.Add(EngineError.Refusal(
                    "-" + name + " is read only from piped tokens (the " + name + " property of Get-GitlabPersonalAccessToken's objects), not from the command line, so nothing was sent.",
                    name.ToLowerInvariant(),
                    "Leave out -" + name + ": GitLab's own state of the token is checked before it is rotated. To rotate an inactive (expired) token anyway, add -" + nameof(Force) + "."));
            }
        }

        protected override string Command => "rotate-personal-access-token";
        protected override string Activity => "Rotating personal access tokens";
        protected override string MaybeDone => "{0} may have been rotated (the old token revoked, a new one created)";
        protected override string NotDone => "{0} was not rotated";
        protected override bool CopyToClipboardGiven => CopyToClipboard.IsPresent;
        protected override bool RevokeWhenStopped => false;
        protected override string TypedExpiry => ExpiresAt;
        // One rotation at a time: each revokes a token someone may be using.
        protected override int RunWindow => 1;

        protected override ParamsWriter RecordParams()
        {
            return new ParamsWriter()
                .Text("token_id", ParameterSetName == "Self" ? "self" : TokenId ?? "")
                .Text("expires_at", MyInvocation.BoundParameters.ContainsKey(nameof(ExpiresAt)) ? ExpiresAt ?? "" : null)
                .Number("expire_in_months", MyInvocation.BoundParameters.ContainsKey(nameof(ExpireInMonths)) ? (long?)ExpireInMonths : null)
                .Flag("copy_to_clipboard", CopyToClipboard.IsPresent)
                .Flag("save_to_config", SaveToConfig.IsPresent)
                .Text("site_url", Binding.IsBound(nameof(SiteUrl)) ? SiteUrl : null)
                .FlagValue("active", PipedFlag(nameof(Active), active))
                .FlagValue("revoked", PipedFlag(nameof(Revoked), revoked))
                .Flag("force", Force.IsPresent);
        }

        /// <summary>A piped state property for this record: null when the record has none (or it is unreadable, which writes its refusal).</summary>
        private bool? PipedFlag(string name, object value)
        {
            if (!Binding.IsBound(name)) { return null; }
            bool? read = PipedState.Read(value);
            if (read.HasValue) { return read; }
            throw new RecordRefused(EngineError.Refusal(
                "The piped token's " + name + " property is '" + Convert.ToString(PSObject.AsPSObject(value).BaseObject, CultureInfo.InvariantCulture) + "', which is neither true nor false, so nothing was sent for it.",
                name.ToLowerInvariant(),
                "Pipe the objects of Get-GitlabPersonalAccessToken, or leave the " + name + " property out: GitLab's own state of the token is then checked before it is rotated."));
        }

        protected override string ShownTarget(string planTarget) { return WithPipedName(planTarget); }

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

        protected override string ClipboardLine(PSObject token, QueuedChange item)
        {
            return "Copied the rotated personal access token '" + token.Properties["Name"]?.Value + "' (new id " + token.Properties["Id"]?.Value
                + ") to the clipboard; the old one no longer works. GitLab shows the new token only this once: paste it where it belongs now.";
        }
    }

    [Cmdlet(VerbsSecurity.Revoke, "GitlabPersonalAccessToken", DefaultParameterSetName = "Id", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(long))]
    [Alias("Remove-GitlabPersonalAccessToken")]
    public sealed class RevokeGitlabPersonalAccessTokenCommand : TokenChangeCmdlet
    {
        private string siteUrl;

        [Parameter(Position = 0, Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string TokenId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Self")]
        public SwitchParameter Self { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get { return siteUrl; } set { siteUrl = value; Binding.Set(nameof(SiteUrl), !string.IsNullOrEmpty(value)); } }

        protected override string Command => "revoke-personal-access-token";
        protected override string Activity => "Revoking personal access tokens";
        protected override string MaybeDone => "{0} may have been revoked";
        protected override string NotDone => "{0} was not revoked";
        protected override int RunWindow => 1;

        protected override ParamsWriter RecordParams()
        {
            return new ParamsWriter()
                .Text("token_id", ParameterSetName == "Self" ? "self" : TokenId ?? "")
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

    [Cmdlet(VerbsCommon.Get, "GitlabPersonalAccessToken", DefaultParameterSetName = "List")]
    [OutputType("Gitlab.PersonalAccessToken")]
    public sealed class GetGitlabPersonalAccessTokenCommand : GitlabCmdlet
    {
        private string userId;

        [Parameter(Position = 0, Mandatory = true, ParameterSetName = "Id")]
        [Alias("Id")]
        public string TokenId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Self")]
        public SwitchParameter Self { get; set; }

        [Parameter(ParameterSetName = "List", ValueFromPipelineByPropertyName = true)]
        [Alias("Username", "EmailAddress")]
        public string UserId { get { return userId; } set { userId = value; Binding.Set(nameof(UserId), value != null); } }

        [Parameter(ParameterSetName = "List")]
        public SwitchParameter Mine { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ExpiryDate]
        public string CreatedAfter { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ExpiryDate]
        public string CreatedBefore { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ExpiryDate]
        public string LastUsedAfter { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ExpiryDate]
        public string LastUsedBefore { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ExpiryDate]
        public string ExpiresAfter { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ExpiryDate]
        public string ExpiresBefore { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ValidateSet("active", "inactive", "all")]
        public string State { get; set; }

        [Parameter(ParameterSetName = "List")]
        public SwitchParameter Revoked { get; set; }

        [Parameter(ParameterSetName = "List")]
        public string Search { get; set; }

        [Parameter(ParameterSetName = "List")]
        [ValidateRange(1, int.MaxValue)]
        public int MaxPages { get; set; }

        [Parameter(ParameterSetName = "List")]
        public SwitchParameter All { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get; set; }

        private bool Given(string parameter) { return MyInvocation.BoundParameters.ContainsKey(parameter); }

        protected override void ProcessRecord()
        {
            object target = null;
            try
            {
                target = ErrorTarget();
                if (ParameterSetName != "List")
                {
                    string json = new ParamsWriter().Text("token_id", ParameterSetName == "Self" ? "self" : TokenId ?? "").Text("site_url", SiteUrl).ToJson();
                    var answer = Call("run", "get-personal-access-token", json, "getting token " + (ParameterSetName == "Self" ? "self" : TokenId));
                    if (answer.Type == "result") { WriteObject(TokenRecords.Listed(answer.Result)); }
                    else { WriteError(ErrorRecords.FromEngine(answer.Error("result"), target)); }
                    return;
                }
                if (All.IsPresent && Given(nameof(MaxPages)))
                {
                    WriteError(ErrorRecords.FromEngine(EngineError.Refusal("Give either -All or -MaxPages, not both (got -MaxPages " + MaxPages + ").", "MaxPages",
                        "-All fetches every page; -MaxPages N stops after N pages of 100."), target));
                    return;
                }
                long maxPages = Given(nameof(MaxPages)) ? MaxPages : 1;
                string user = Binding.IsBound(nameof(UserId)) ? UserId ?? "" : null;
                long page = 1;
                int fetched = 0;
                long count = 0;
                while (true)
                {
                    string json = new ParamsWriter()
                        .Text("user", user)
                        .Flag("mine", Mine.IsPresent)
                        .Text("created_after", CreatedAfter).Text("created_before", CreatedBefore)
                        .Text("last_used_after", LastUsedAfter).Text("last_used_before", LastUsedBefore)
                        .Text("expires_after", ExpiresAfter).Text("expires_before", ExpiresBefore)
                        .Text("state", State)
                        .FlagValue("revoked", Given(nameof(Revoked)) ? (bool?)Revoked.IsPresent : null)
                        .Text("search", Search)
                        .Text("site_url", SiteUrl)
                        .Number("page", page)
                        .ToJson();
                    var answer = Call("run", "list-personal-access-tokens", json, "listing page " + page.ToString(CultureInfo.InvariantCulture) + " of tokens");
                    if (answer.Type != "result")
                    {
                        WriteError(ErrorRecords.FromEngine(answer.Error("result"), target));
                        return;
                    }
                    var result = answer.Result;
                    fetched++;
                    if (result.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == System.Text.Json.JsonValueKind.Array)
                    {
                        foreach (var token in tokens.EnumerateArray())
                        {
                            if (token.ValueKind != System.Text.Json.JsonValueKind.Object) { continue; }
                            count++;
                            // Each object goes out at once: a pipeline that stops early (Select-Object
                            // -First) stops here, and no further page is asked for.
                            WriteObject(TokenRecords.Listed(token));
                        }
                    }
                    // Read as a long: a page number from the wire never overflows here.
                    long? nextPage = Json.Whole(result, "next_page");
                    if (!nextPage.HasValue) { return; }
                    if (!All.IsPresent && fetched >= maxPages)
                    {
                        string pages = fetched == 1 ? "the first page" : "the first " + fetched + " pages";
                        WriteWarning("More personal access tokens exist than the " + count + " shown (" + pages + "). Use -All to get every one, or -MaxPages to fetch more pages, or narrow the list with filters such as -Search or -State.");
                        return;
                    }
                    if (nextPage.Value <= page)
                    {
                        WriteError(ErrorRecords.FromEngine(new EngineError { Kind = "server-error", Message = "GitLab named page " + nextPage.Value + " as the next page after page " + page + "; the listing stops here rather than loop." }, target));
                        return;
                    }
                    page = nextPage.Value;
                }
            }
            catch (RecordRefused refused)
            {
                WriteError(ErrorRecords.FromEngine(RefusalOf(refused), target));
            }
            finally
            {
                Binding.EndRecord();
            }
        }
    }
}
