// The one listing of every Get-…AccessToken cmdlet: GitLab's filters, page after page with each
// object written as it arrives (a pipeline that stops early stops the paging), -All / -MaxPages,
// a warning when more exist, and one token by id. Subclasses say whose tokens (the owner params)
// and which commands; docs/ARCHITECTURE.md, "Paging".
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace GitlabCli
{
    public abstract class TokenListCmdlet : GitlabCmdlet
    {
        /// <summary>The parameter set of the listing (the others get one token).</summary>
        public const string ListSet = "List";

        [Parameter(ParameterSetName = ListSet)]
        [ExpiryDate]
        public string CreatedAfter { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ExpiryDate]
        public string CreatedBefore { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ExpiryDate]
        public string LastUsedAfter { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ExpiryDate]
        public string LastUsedBefore { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ExpiryDate]
        public string ExpiresAfter { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ExpiryDate]
        public string ExpiresBefore { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ValidateSet("active", "inactive", "all")]
        public string State { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        public SwitchParameter Revoked { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        public string Search { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, int.MaxValue)]
        public int MaxPages { get; set; }

        [Parameter(ParameterSetName = ListSet)]
        public SwitchParameter All { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(SiteUrlCompleter))]
        public string SiteUrl { get; set; }

        /// <summary>The protocol command of a page, e.g. list-personal-access-tokens.</summary>
        protected abstract string ListCommand { get; }

        /// <summary>The protocol command of one token, e.g. get-personal-access-token.</summary>
        protected abstract string GetCommand { get; }

        /// <summary>What the tokens are called in messages, e.g. "personal access tokens".</summary>
        protected abstract string Noun { get; }

        /// <summary>The token asked for (an id or self), or null to list.</summary>
        protected abstract string OneToken { get; }

        /// <summary>Writes whose tokens these are (user/mine, or the owner) for a page or one token.</summary>
        protected abstract ParamsWriter Whose(ParamsWriter writer, bool listing);

        /// <summary>Filters of this list beyond the shared ones (e.g. sort).</summary>
        protected virtual ParamsWriter MoreFilters(ParamsWriter writer) { return writer; }

        protected bool Given(string parameter) { return MyInvocation.BoundParameters.ContainsKey(parameter); }

        protected override void ProcessRecord()
        {
            object target = null;
            try
            {
                target = ErrorTarget();
                string one = OneToken;
                if (one != null)
                {
                    string json = Whose(new ParamsWriter(), false).Text("token_id", one).Text("site_url", SiteUrl).ToJson();
                    var answer = Call("run", GetCommand, json, "getting token " + one);
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
                long page = 1;
                int fetched = 0;
                long count = 0;
                while (true)
                {
                    var writer = Whose(new ParamsWriter(), true)
                        .Text("created_after", CreatedAfter).Text("created_before", CreatedBefore)
                        .Text("last_used_after", LastUsedAfter).Text("last_used_before", LastUsedBefore)
                        .Text("expires_after", ExpiresAfter).Text("expires_before", ExpiresBefore)
                        .Text("state", State)
                        .FlagValue("revoked", Given(nameof(Revoked)) ? (bool?)Revoked.IsPresent : null)
                        .Text("search", Search);
                    string json = MoreFilters(writer)
                        .Text("site_url", SiteUrl)
                        .Number("page", page)
                        .ToJson();
                    var answer = Call("run", ListCommand, json, "listing page " + page.ToString(CultureInfo.InvariantCulture) + " of tokens");
                    if (answer.Type != "result")
                    {
                        WriteError(ErrorRecords.FromEngine(answer.Error("result"), target));
                        return;
                    }
                    var result = answer.Result;
                    fetched++;
                    if (result.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var token in tokens.EnumerateArray())
                        {
                            if (token.ValueKind != JsonValueKind.Object) { continue; }
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
                        WriteWarning("More " + Noun + " exist than the " + count + " shown (" + pages + "). Use -All to get every one, or -MaxPages to fetch more pages, or narrow the list with filters such as -Search or -State.");
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
