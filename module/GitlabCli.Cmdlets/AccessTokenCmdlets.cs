// The group and project access token cmdlets (issue 12): Get, New, Invoke-…Rotation and Remove
// for each. A kind differs only in its owner parameter (-GroupId or -ProjectId) and the spelling
// of its scope parameter, so each pair shares one base per verb; the work is the shared list
// (TokenListCmdlet) and change (TokenChangeCmdlet) pipelines, over the engine's owner commands.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace GitlabCli
{
    /// <summary>The `owner` param of the engine's owner commands, written in one place.</summary>
    internal static class OwnerParam
    {
        public const string Group = "group";
        public const string Project = "project";

        /// <summary>
        /// owner: {kind, id, working_directory}. For a project named `.` the directory is
        /// PowerShell's current FileSystem location (the engine's own directory is not the user's $PWD).
        /// </summary>
        public static ParamsWriter Write(ParamsWriter writer, string kind, string id, PSCmdlet cmdlet)
        {
            string directory = null;
            if (kind == Project && id != null && id.Trim() == ".")
            {
                directory = cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            }
            return writer.Object("owner", o => o.Text("kind", kind).Text("id", id ?? "").Text("working_directory", directory));
        }

        /// <summary>"group 'acme'", for messages.</summary>
        public static string Describe(string kind, string id)
        {
            return kind + " '" + id + "'";
        }

        /// <summary>The owner of a token the pipeline created: its numeric id when the result said it, else as given.</summary>
        /// <summary>The Get cmdlet of a kind's tokens: Get-GitlabGroupAccessToken or Get-GitlabProjectAccessToken.</summary>
        public static string ListCmdlet(string kind)
        {
            return kind == Group ? "Get-GitlabGroupAccessToken" : "Get-GitlabProjectAccessToken";
        }

        public static string OfToken(PSObject token, string given)
        {
            // The token's own owner first: by the time a stopped pipeline revokes what it could not
            // output, the bound -GroupId/-ProjectId may be a later record's.
            object id = token.Properties["ResourceId"]?.Value;
            if (id is long number) { return number.ToString(CultureInfo.InvariantCulture); }
            return token.Properties["ResourcePath"]?.Value is string path && path.Length > 0 ? path : given;
        }
    }

    /// <summary>Get-GitlabGroupAccessToken and Get-GitlabProjectAccessToken.</summary>
    public abstract class OwnerTokenListCmdlet : TokenListCmdlet
    {
        [Parameter(Position = 1, Mandatory = true, ParameterSetName = "Id")]
        [Alias("Id")]
        public string TokenId { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ArgumentCompleter(typeof(SortCompleter))]
        public string Sort { get; set; }

        /// <summary>group or project.</summary>
        protected abstract string Kind { get; }

        /// <summary>-GroupId or -ProjectId.</summary>
        protected abstract string OwnerId { get; }

        protected override string ListCommand => "list-access-tokens";
        protected override string GetCommand => "get-access-token";
        protected override string Noun => Kind + " access tokens";
        protected override string OneToken => ParameterSetName == "Id" ? TokenId ?? "" : null;

        protected override ParamsWriter Whose(ParamsWriter writer, bool listing)
        {
            return OwnerParam.Write(writer, Kind, OwnerId, this);
        }

        protected override ParamsWriter MoreFilters(ParamsWriter writer) { return writer.Text("sort", Sort); }
    }

    [Cmdlet(VerbsCommon.Get, "GitlabGroupAccessToken", DefaultParameterSetName = ListSet)]
    [OutputType("Gitlab.AccessToken")]
    public sealed class GetGitlabGroupAccessTokenCommand : OwnerTokenListCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string GroupId { get; set; }

        protected override string Kind => OwnerParam.Group;
        protected override string OwnerId => GroupId;
    }

    [Cmdlet(VerbsCommon.Get, "GitlabProjectAccessToken", DefaultParameterSetName = ListSet)]
    [OutputType("Gitlab.AccessToken")]
    public sealed class GetGitlabProjectAccessTokenCommand : OwnerTokenListCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string ProjectId { get; set; }

        protected override string Kind => OwnerParam.Project;
        protected override string OwnerId => ProjectId;
    }

    /// <summary>New-GitlabGroupAccessToken and New-GitlabProjectAccessToken.</summary>
    public abstract class OwnerTokenCreation : TokenChangeCmdlet
    {
        private string name;
        private string description;
        private string accessLevel;
        private string expiresAt;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string Name { get { return name; } set { name = value; Binding.Set(nameof(Name), value != null); } }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Description { get { return description; } set { description = value; Binding.Set(nameof(Description), value != null); } }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AccessLevelCompleter))]
        public string AccessLevel { get { return accessLevel; } set { accessLevel = value; Binding.Set(nameof(AccessLevel), value != null); } }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ExpiryDate]
        public string ExpiresAt { get { return expiresAt; } set { expiresAt = value; Binding.Set(nameof(ExpiresAt), value != null); } }

        [Parameter]
        [WholeMonths]
        public uint ExpireInMonths { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get; set; }

        [Parameter]
        public SwitchParameter CopyToClipboard { get; set; }

        /// <summary>group or project.</summary>
        protected abstract string Kind { get; }

        /// <summary>-GroupId or -ProjectId.</summary>
        protected abstract string OwnerId { get; }

        /// <summary>-Scope (group) or -Scopes (project).</summary>
        protected abstract string[] ScopesGiven { get; }

        protected override string Command => "create-access-token";
        protected override string Activity => "Creating " + Kind + " access tokens";
        protected override string MaybeDone => "The token for {0} may have been created";
        protected override string NotDone => "No token was created for {0}";
        protected override bool CopyToClipboardGiven => CopyToClipboard.IsPresent;
        protected override string TypedExpiry => ExpiresAt;
        protected override string RevokeCommand => "revoke-access-token";
        protected override string ListCmdlet => OwnerParam.ListCmdlet(Kind);

        protected override ParamsWriter RevokeOwner(ParamsWriter writer, PSObject token)
        {
            return OwnerParam.Write(writer, Kind, OwnerParam.OfToken(token, OwnerId), this);
        }

        /// <summary>
        /// An optional text for this record: absent when not bound, and absent when a piped record
        /// leaves it empty (an empty CSV cell); an empty value typed on the command line is sent, so
        /// the engine refuses it by name.
        /// </summary>
        private string Optional(string parameter, string value)
        {
            if (!Binding.IsBound(parameter)) { return null; }
            if (string.IsNullOrEmpty(value) && !Binding.FromCommandLine(parameter)) { return null; }
            return value ?? "";
        }

        /// <summary>
        /// The scopes, one per element; an element that holds several separated by commas (as
        /// Export-Csv writes a token's Scopes, and a CSV cell holds them) counts as those several.
        /// </summary>
        private static List<string> ScopeList(string[] given)
        {
            var scopes = new List<string>();
            foreach (var element in given ?? new string[0])
            {
                if (element == null) { continue; }
                foreach (var part in element.Split(','))
                {
                    string scope = part.Trim();
                    if (scope.Length > 0 || element.Trim().Length == 0) { scopes.Add(scope); }
                }
            }
            return scopes;
        }

        protected override ParamsWriter RecordParams()
        {
            return OwnerParam.Write(new ParamsWriter(), Kind, OwnerId, this)
                .Text("name", Name ?? "")
                .Text("description", Optional(nameof(Description), Description))
                .Texts("scopes", ScopeList(ScopesGiven))
                .Text("access_level", Optional(nameof(AccessLevel), AccessLevel))
                .Text("expires_at", Optional(nameof(ExpiresAt), ExpiresAt))
                .Number("expire_in_months", MyInvocation.BoundParameters.ContainsKey(nameof(ExpireInMonths)) ? (long?)ExpireInMonths : null)
                .Text("site_url", SiteUrl)
                .Flag("copy_to_clipboard", CopyToClipboard.IsPresent);
        }

        protected override string DescribeRecord()
        {
            return "the token '" + Name + "' for " + OwnerParam.Describe(Kind, OwnerId);
        }

        protected override string ClipboardLine(PSObject token, QueuedChange item)
        {
            return "Copied the new " + Kind + " access token '" + token.Properties["Name"]?.Value + "' (id " + token.Properties["Id"]?.Value + ") for " + item.Target
                + " to the clipboard. GitLab shows it only this once: paste it where it belongs now.";
        }
    }

    [Cmdlet(VerbsCommon.New, "GitlabGroupAccessToken", SupportsShouldProcess = true)]
    [OutputType("Gitlab.NewAccessToken")]
    public sealed class NewGitlabGroupAccessTokenCommand : OwnerTokenCreation
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string GroupId { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Scopes")]
        [ArgumentCompleter(typeof(ResourceScopeCompleter))]
        public string[] Scope { get; set; }

        protected override string Kind => OwnerParam.Group;
        protected override string OwnerId => GroupId;
        protected override string[] ScopesGiven => Scope;
    }

    [Cmdlet(VerbsCommon.New, "GitlabProjectAccessToken", SupportsShouldProcess = true)]
    [OutputType("Gitlab.NewAccessToken")]
    public sealed class NewGitlabProjectAccessTokenCommand : OwnerTokenCreation
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string ProjectId { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Scope")]
        [ArgumentCompleter(typeof(ResourceScopeCompleter))]
        public string[] Scopes { get; set; }

        protected override string Kind => OwnerParam.Project;
        protected override string OwnerId => ProjectId;
        protected override string[] ScopesGiven => Scopes;
    }

    /// <summary>Invoke-GitlabGroupAccessTokenRotation and Invoke-GitlabProjectAccessTokenRotation.</summary>
    public abstract class OwnerTokenRotation : TokenRotationCmdlet
    {
        [Parameter(Position = 1, Mandatory = true, ParameterSetName = "Id", ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string TokenId { get; set; }

        /// <summary>group or project.</summary>
        protected abstract string Kind { get; }

        /// <summary>-GroupId or -ProjectId.</summary>
        protected abstract string OwnerId { get; }

        protected override string Command => "rotate-access-token";
        protected override string Activity => "Rotating " + Kind + " access tokens";
        protected override string ListCmdlet => OwnerParam.ListCmdlet(Kind);
        protected override string TokenIdGiven => TokenId;
        protected override string TokenNoun => Kind + " access token";
        protected override ParamsWriter Whose(ParamsWriter writer) { return OwnerParam.Write(writer, Kind, OwnerId, this); }
    }

    [Cmdlet(VerbsLifecycle.Invoke, "GitlabGroupAccessTokenRotation", DefaultParameterSetName = "Id", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType("Gitlab.NewAccessToken")]
    [Alias("Rotate-GitlabGroupAccessToken")]
    public sealed class InvokeGitlabGroupAccessTokenRotationCommand : OwnerTokenRotation
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string GroupId { get; set; }

        protected override string Kind => OwnerParam.Group;
        protected override string OwnerId => GroupId;
    }

    [Cmdlet(VerbsLifecycle.Invoke, "GitlabProjectAccessTokenRotation", DefaultParameterSetName = "Id", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType("Gitlab.NewAccessToken")]
    [Alias("Rotate-GitlabProjectAccessToken")]
    public sealed class InvokeGitlabProjectAccessTokenRotationCommand : OwnerTokenRotation
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string ProjectId { get; set; }

        protected override string Kind => OwnerParam.Project;
        protected override string OwnerId => ProjectId;
    }

    /// <summary>Remove-GitlabGroupAccessToken and Remove-GitlabProjectAccessToken.</summary>
    public abstract class OwnerTokenRemoval : TokenRevocationCmdlet
    {
        [Parameter(Position = 1, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string TokenId { get; set; }

        /// <summary>group or project.</summary>
        protected abstract string Kind { get; }

        /// <summary>-GroupId or -ProjectId.</summary>
        protected abstract string OwnerId { get; }

        protected override string Command => "revoke-access-token";
        protected override string Activity => "Revoking " + Kind + " access tokens";
        protected override string ListCmdlet => OwnerParam.ListCmdlet(Kind);
        protected override string TokenIdGiven => TokenId;
        protected override ParamsWriter Whose(ParamsWriter writer) { return OwnerParam.Write(writer, Kind, OwnerId, this); }
    }

    [Cmdlet(VerbsCommon.Remove, "GitlabGroupAccessToken", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(long))]
    [Alias("Revoke-GitlabGroupAccessToken")]
    public sealed class RemoveGitlabGroupAccessTokenCommand : OwnerTokenRemoval
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string GroupId { get; set; }

        protected override string Kind => OwnerParam.Group;
        protected override string OwnerId => GroupId;
    }

    [Cmdlet(VerbsCommon.Remove, "GitlabProjectAccessToken", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(long))]
    [Alias("Revoke-GitlabProjectAccessToken")]
    public sealed class RemoveGitlabProjectAccessTokenCommand : OwnerTokenRemoval
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public string ProjectId { get; set; }

        protected override string Kind => OwnerParam.Project;
        protected override string OwnerId => ProjectId;
    }
}
