// The site cmdlets (issue 11), with pwsh-gitlab's names and parameters: Get-GitlabConfiguration
// and Get-DefaultGitlabSite read the engine's list-sites; Add-GitlabSite, Set-DefaultGitlabSite
// and Remove-GitlabSite are changes (plan, ShouldProcess, run) through TokenChangeCmdlet. The
// engine alone reads and writes the config file and keeps the environment rule.
using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Net;
using System.Security;
using System.Text.Json;

namespace GitlabCli
{
    /// <summary>The reading site cmdlets: list-sites, each site as a Gitlab.Site.</summary>
    public abstract class SiteReadCmdlet : GitlabCmdlet
    {
        protected void WriteSites(bool defaultOnly, string siteUrl)
        {
            object target = ErrorTarget();
            try
            {
                string json = new ParamsWriter().Flag("default_only", defaultOnly).Text("site_url", siteUrl).ToJson();
                var answer = Call("run", "list-sites", json, "listing the configured sites");
                if (answer.Type != "result")
                {
                    WriteError(ErrorRecords.FromEngine(answer.Error("result"), target));
                    return;
                }
                SiteChangeCmdlet.WriteSiteList(this, answer.Result);
            }
            catch (RecordRefused refused)
            {
                WriteError(ErrorRecords.FromEngine(RefusalOf(refused), target));
            }
        }
    }

    [Cmdlet(VerbsCommon.Get, "GitlabConfiguration", DefaultParameterSetName = "All")]
    [OutputType(SiteRecords.SiteTypeName)]
    public sealed class GetGitlabConfigurationCommand : SiteReadCmdlet
    {
        [Parameter(ParameterSetName = "DefaultSite")]
        public SwitchParameter DefaultSite { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get; set; }

        protected override void ProcessRecord() { WriteSites(DefaultSite.IsPresent, SiteUrl); }
    }

    [Cmdlet(VerbsCommon.Get, "DefaultGitlabSite")]
    [OutputType(SiteRecords.SiteTypeName)]
    public sealed class GetDefaultGitlabSiteCommand : SiteReadCmdlet
    {
        protected override void ProcessRecord() { WriteSites(true, null); }
    }

    /// <summary>The site cmdlets that change the config file: one request at a time.</summary>
    public abstract class SiteChangeCmdlet : TokenChangeCmdlet
    {
        protected override int RunWindow => 1;
        protected override string MaybeDone => "The config file may have been changed for {0}";
        protected override string NotDone => "The config file was not changed for {0}";

        /// <summary>A SiteList's sites, each as a Gitlab.Site.</summary>
        internal static void WriteSiteList(Cmdlet cmdlet, JsonElement result)
        {
            if (!result.TryGetProperty("sites", out var sites) || sites.ValueKind != JsonValueKind.Array) { return; }
            string path = Json.String(result, "config_path");
            foreach (var site in sites.EnumerateArray()) { cmdlet.WriteObject(SiteRecords.Site(site, path)); }
        }

        protected override void Deliver(QueuedChange item, EngineMessage result)
        {
            item.Delivered = true;
            WriteVerbose(Json.String(result.Result, "config_path") is string path ? "Wrote " + path + " (" + item.Target + ")." : "Wrote the config file (" + item.Target + ").");
        }
    }

    [Cmdlet(VerbsCommon.Add, "GitlabSite", DefaultParameterSetName = "AccessToken", SupportsShouldProcess = true)]
    [OutputType(SiteRecords.AddedTypeName)]
    public sealed class AddGitlabSiteCommand : SiteChangeCmdlet
    {
        [Parameter(Position = 0, Mandatory = true)]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string Url { get; set; }

        /// <summary>Text, or a SecureString (made text here, so it never reaches history as typed).</summary>
        [Parameter(Position = 1, ParameterSetName = "AccessToken")]
        [SecretText]
        public string AccessToken { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Credential")]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(Position = 2)]
        public string ProxyUrl { get; set; }

        [Parameter]
        public SwitchParameter IsDefault { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter SkipValidation { get; set; }

        protected override string[] SecretParameters => new[] { nameof(AccessToken), nameof(Credential) };
        protected override string Command => "add-site";
        protected override string Activity => "Adding GitLab sites";

        /// <summary>The token given (-AccessToken or -Credential's password), or null to prompt for it.</summary>
        private string GivenToken()
        {
            if (Credential != null) { return Credential.GetNetworkCredential().Password ?? ""; }
            return MyInvocation.BoundParameters.ContainsKey(nameof(AccessToken)) ? AccessToken ?? "" : null;
        }

        protected override ParamsWriter RecordParams()
        {
            // The token goes in the plan too, so a blank one is refused before anything is asked;
            // the plan's params never carry it back.
            return new ParamsWriter()
                .Text("url", Url ?? "")
                .Text("access_token", GivenToken())
                .Text("proxy_url", ProxyUrl)
                .Flag("is_default", IsDefault.IsPresent)
                .Flag("force", Force.IsPresent)
                .Flag("skip_validation", SkipValidation.IsPresent);
        }

        protected override string RunParams(JsonElement plan, JsonElement planParams)
        {
            string target = Json.String(plan, "target") ?? Url;
            string question = Json.String(plan, "confirm");
            bool replace = false;
            if (question != null && !Force.IsPresent)
            {
                bool yes;
                try
                {
                    yes = ShouldContinue(question, "Replace a GitLab site");
                }
                catch (Exception e) when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException || e is NotImplementedException || e is InvalidOperationException)
                {
                    throw new RecordRefused(EngineError.Refusal(
                        question + " This PowerShell session cannot ask (it is non-interactive), so nothing was saved.", "force",
                        "Pass -Force to replace the site's entry without asking."));
                }
                if (!yes) { return null; }
                replace = true;
            }
            string token = GivenToken() ?? PromptForToken(target);
            return new ParamsWriter().Copy(planParams).Flag("force", replace).Text("access_token", token).ToJson();
        }

        /// <summary>Asks for the token without echo; where nobody can answer, a refusal naming -AccessToken.</summary>
        private string PromptForToken(string site)
        {
            SecureString typed;
            try
            {
                // As Read-Host -AsSecureString asks: a host that cannot ask throws before writing the label.
                var field = new FieldDescription("Access token for " + site);
                field.SetParameterType(typeof(SecureString));
                var answers = Host.UI.Prompt(null, null, new Collection<FieldDescription> { field });
                typed = answers != null && answers.TryGetValue(field.Name, out PSObject answer) ? answer?.BaseObject as SecureString : null;
            }
            catch (Exception e) when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException || e is NotImplementedException || e is InvalidOperationException || e is NullReferenceException)
            {
                throw new RecordRefused(EngineError.Refusal(
                    "Add-GitlabSite needs the access token of " + site + ", but neither -AccessToken nor -Credential was given and this PowerShell session cannot prompt for it (it is non-interactive), so nothing was saved.",
                    "access_token",
                    "Give the token with -AccessToken (text or a SecureString, e.g. from Read-Host -AsSecureString or a secret store) or -Credential."));
            }
            string token = typed == null ? "" : new NetworkCredential("", typed).Password;
            if (token.Trim().Length == 0)
            {
                throw new RecordRefused(EngineError.Refusal(
                    "No access token was typed for " + site + ", so nothing was saved.", "access_token",
                    "Run Add-GitlabSite again and paste the personal access token when asked, or give it with -AccessToken."));
            }
            return token;
        }

        protected override void Deliver(QueuedChange item, EngineMessage result)
        {
            WriteObject(SiteRecords.Added(result.Result));
            item.Delivered = true;
        }
    }

    /// <summary>A change of one configured site, named by -Url (piped: the Url of Get-GitlabConfiguration's objects).</summary>
    public abstract class NamedSiteChangeCmdlet : SiteChangeCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string Url { get; set; }

        protected override ParamsWriter RecordParams() { return new ParamsWriter().Text("url", Url ?? ""); }
    }

    [Cmdlet(VerbsCommon.Set, "DefaultGitlabSite", SupportsShouldProcess = true)]
    [OutputType(typeof(void))]
    public sealed class SetDefaultGitlabSiteCommand : NamedSiteChangeCmdlet
    {
        protected override string Command => "set-default-site";
        protected override string Activity => "Setting the default GitLab site";
    }

    [Cmdlet(VerbsCommon.Remove, "GitlabSite", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveGitlabSiteCommand : NamedSiteChangeCmdlet
    {
        protected override string Command => "remove-site";
        protected override string Activity => "Removing GitLab sites";
    }

    /// <summary>
    /// -AccessToken stays [string], but a SecureString given to it is its text (PowerShell would
    /// otherwise make it the words "System.Security.SecureString").
    /// </summary>
    public sealed class SecretTextAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            return value is SecureString secure ? new NetworkCredential("", secure).Password : inputData;
        }
    }
}
