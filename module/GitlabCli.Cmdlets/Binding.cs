// Parameter binding helpers: which parameters are bound for the current record, the argument
// transformations of -ExpiresAt and -ExpireInMonths, and the completers of -Scope and -SiteUrl.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace GitlabCli
{
    /// <summary>
    /// Which parameters are bound for the record being processed. PowerShell keeps a parameter's
    /// value from an earlier record when a later record lacks the property, so "bound" is decided
    /// here, once: a parameter counts when it came from the command line, or when its setter ran
    /// (with a value) while binding this record. The cmdlets' setters call <see cref="Set"/>.
    /// </summary>
    public sealed class RecordBinding
    {
        private readonly HashSet<string> commandLine = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> record = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private bool begun;

        /// <summary>Called by a parameter's setter.</summary>
        public void Set(string name, bool hasValue)
        {
            var set = begun ? record : commandLine;
            if (hasValue) { set.Add(name); } else { set.Remove(name); }
        }

        /// <summary>BeginProcessing: everything set so far came from the command line.</summary>
        public void Begin() { begun = true; }

        /// <summary>After each record.</summary>
        public void EndRecord() { record.Clear(); }

        public bool FromCommandLine(string name) { return commandLine.Contains(name); }

        public bool IsBound(string name) { return commandLine.Contains(name) || record.Contains(name); }
    }

    /// <summary>
    /// Refusals found while transforming arguments, taken by the cmdlet when it begins (binding and
    /// processing run on the same pipeline thread). A transformation cannot give its own ErrorId;
    /// this lets the cmdlet report GitlabCli.InvalidArgument and send nothing.
    /// </summary>
    internal static class BindingRefusals
    {
        [ThreadStatic] private static List<EngineError> pending;

        public static void Add(EngineError refusal)
        {
            if (pending == null) { pending = new List<EngineError>(); }
            pending.Add(refusal);
        }

        public static List<EngineError> Take()
        {
            var taken = pending ?? new List<EngineError>();
            pending = null;
            return taken;
        }
    }

    /// <summary>
    /// -ExpiresAt and the date filters stay [string], but a [datetime] or [DateTimeOffset] given to
    /// them means exactly its own date, in every culture: it becomes yyyy-MM-dd here, before
    /// PowerShell would turn it into culture-dependent text. Text is left as typed; the engine
    /// alone decides what it means (src/dates.rs).
    /// </summary>
    public sealed class ExpiryDateAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is DateTime date) { return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); }
            if (value is DateTimeOffset offset) { return offset.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); }
            return inputData;
        }
    }

    /// <summary>
    /// -ExpireInMonths stays [uint], but 2.5 would silently become 2 and -1 a raw conversion error:
    /// a fraction or a negative number is refused as GitlabCli.InvalidArgument instead.
    /// </summary>
    public sealed class WholeMonthsAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            decimal number;
            bool numeric;
            switch (value)
            {
                case double d: numeric = !double.IsNaN(d) && !double.IsInfinity(d) && Math.Abs(d) < 7.9e28; number = numeric ? (decimal)d : 0m; break;
                case float f: numeric = !float.IsNaN(f) && !float.IsInfinity(f) && Math.Abs(f) < 7.9e28f; number = numeric ? (decimal)f : 0m; break;
                case decimal m: numeric = true; number = m; break;
                case int i: numeric = true; number = i; break;
                case long l: numeric = true; number = l; break;
                case short s: numeric = true; number = s; break;
                case sbyte b: numeric = true; number = b; break;
                case string text: numeric = decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out number); break;
                default: return inputData;
            }
            if (!numeric || (number >= 0 && decimal.Truncate(number) == number)) { return inputData; }
            string shown = Convert.ToString(value, CultureInfo.InvariantCulture);
            var refusal = EngineError.Refusal(
                "-ExpireInMonths " + shown + " is not a whole number of months from 1 up; it would have been rounded or refused by the conversion to [uint].",
                "expire_in_months",
                number < 0 ? "Give a positive whole number of months, for example -ExpireInMonths 3, or an exact date with -ExpiresAt."
                           : "Give a whole number of months, for example -ExpireInMonths " + decimal.Ceiling(number).ToString(CultureInfo.InvariantCulture) + ", or an exact date with -ExpiresAt.");
            refusal.BoundParameter = "ExpireInMonths";
            BindingRefusals.Add(refusal);
            return 0u;
        }
    }

    /// <summary>A piped true/false property: a [bool] (or switch), or the text 'True'/'False' that Import-Csv gives; null for anything else.</summary>
    public static class PipedState
    {
        public static bool? Read(object value)
        {
            object v = value is PSObject wrapped ? wrapped.BaseObject : value;
            switch (v)
            {
                case bool b: return b;
                case SwitchParameter s: return s.IsPresent;
                case string text:
                    if (bool.TryParse(text.Trim(), out bool parsed)) { return parsed; }
                    return null;
                default: return null;
            }
        }

        /// <summary>
        /// -Active and -Revoked of a rotation are read only from piped tokens: from the command
        /// line they are refused (into <paramref name="problems"/>), so nothing is sent.
        /// <paramref name="source"/> is the Get cmdlet whose objects carry them.
        /// </summary>
        public static void RefuseFromCommandLine(RecordBinding binding, List<EngineError> problems, string source)
        {
            foreach (var name in new[] { "Active", "Revoked" })
            {
                if (!binding.FromCommandLine(name)) { continue; }
                problems.Add(EngineError.Refusal(
                    "-" + name + " is read only from piped tokens (the " + name + " property of " + source + "'s objects), not from the command line, so nothing was sent.",
                    name.ToLowerInvariant(),
                    "Leave out -" + name + ": GitLab's own state of the token is checked before it is rotated. To rotate an inactive (expired) token anyway, add -Force."));
            }
        }

        /// <summary>A piped state property for this record: null when the record has none; one that is neither true nor false is refused.</summary>
        public static bool? Piped(RecordBinding binding, string name, object value, string source)
        {
            if (!binding.IsBound(name)) { return null; }
            bool? read = Read(value);
            if (read.HasValue) { return read; }
            throw new RecordRefused(EngineError.Refusal(
                "The piped token's " + name + " property is '" + Convert.ToString(PSObject.AsPSObject(value).BaseObject, CultureInfo.InvariantCulture) + "', which is neither true nor false, so nothing was sent for it.",
                name.ToLowerInvariant(),
                "Pipe the objects of " + source + ", or leave the " + name + " property out: GitLab's own state of the token is then checked before it is rotated."));
        }
    }

    /// <summary>Completes a parameter from one of the lists of the engine's hello.</summary>
    public abstract class HelloListCompleter : IArgumentCompleter
    {
        /// <summary>The list this completer offers.</summary>
        protected abstract string[] Values(Hello hello);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? "").Trim('\'', '"');
            var results = new List<CompletionResult>();
            var hello = EngineFacts.Said();
            foreach (var value in hello == null ? new string[0] : Values(hello) ?? new string[0])
            {
                if (value.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                {
                    results.Add(new CompletionResult(value, value, CompletionResultType.ParameterValue, value));
                }
            }
            return results;
        }
    }

    /// <summary>Completes -Scope of personal access tokens from the scopes the engine accepts.</summary>
    public sealed class ScopeCompleter : HelloListCompleter
    {
        protected override string[] Values(Hello hello) { return hello.Scopes; }
    }

    /// <summary>Completes -Scope / -Scopes of group and project access tokens from their own list.</summary>
    public sealed class ResourceScopeCompleter : HelloListCompleter
    {
        protected override string[] Values(Hello hello) { return hello.ResourceScopes; }
    }

    /// <summary>Completes -AccessLevel with the level names.</summary>
    public sealed class AccessLevelCompleter : HelloListCompleter
    {
        protected override string[] Values(Hello hello) { return hello.AccessLevels; }
    }

    /// <summary>Completes -Sort with GitLab's sorts of token lists.</summary>
    public sealed class SortCompleter : HelloListCompleter
    {
        protected override string[] Values(Hello hello) { return hello.Sorts; }
    }

    /// <summary>Completes -SiteUrl with the configured sites (the engine's list-sites).</summary>
    public sealed class SiteUrlCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? "").Trim('\'', '"');
            var results = new List<CompletionResult>();
            foreach (var site in EngineFacts.Sites())
            {
                string url = site.Url;
                int scheme = url.IndexOf("://", StringComparison.Ordinal);
                string bare = scheme >= 0 ? url.Substring(scheme + 3) : url;
                if (word.Length > 0 && !url.StartsWith(word, StringComparison.OrdinalIgnoreCase) && !bare.StartsWith(word, StringComparison.OrdinalIgnoreCase)) { continue; }
                string tip = url + (site.IsDefault ? " (default)" : "") + " from the " + (site.Source ?? "").Replace('-', ' ');
                bool quote = url.IndexOfAny(new[] { ' ', '\t', '\'', '"', '`', '$' }) >= 0;
                string text = quote ? "'" + url.Replace("'", "''") + "'" : url;
                results.Add(new CompletionResult(text, url, CompletionResultType.ParameterValue, tip));
            }
            return results;
        }
    }

    /// <summary>A configured site, as list-sites reports it (never its token).</summary>
    public sealed class SiteInfo
    {
        public string Url { get; set; }
        public bool IsDefault { get; set; }
        public string Source { get; set; }
        public bool HasToken { get; set; }
    }

    /// <summary>What completion needs from the engine. Completion stays quiet: any failure gives nothing.</summary>
    public static class EngineFacts
    {
        private static readonly object gate = new object();
        private static Hello hello;

        /// <summary>The engine's hello, asked once per process; null when no engine answers.</summary>
        public static Hello Said()
        {
            lock (gate)
            {
                if (hello != null) { return hello; }
            }
            try
            {
                using (var engine = Engine.Start())
                {
                    var said = engine.Hello;
                    lock (gate) { hello = said; }
                    return said;
                }
            }
            catch (Exception e) when (e is EngineFailure || e is EngineNotExecutable || e is EngineVersionMismatch || e is System.IO.IOException || e is InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>The scopes of the engine's hello (personal access tokens).</summary>
        public static string[] Scopes()
        {
            return Said()?.Scopes ?? new string[0];
        }

        internal static void Remember(Hello said)
        {
            lock (gate) { hello = said; }
        }

        /// <summary>The configured sites, from a short-lived engine.</summary>
        public static List<SiteInfo> Sites()
        {
            var sites = new List<SiteInfo>();
            try
            {
                using (var engine = Engine.Start())
                {
                    string id = engine.Send("run", "list-sites", "{}");
                    if (id == null) { return sites; }
                    var deadline = DateTime.UtcNow.AddSeconds(10);
                    while (DateTime.UtcNow < deadline)
                    {
                        foreach (var message in engine.Read(id, 250, false, false))
                        {
                            if (!message.IsTerminal) { continue; }
                            if (message.Type == "result" && message.Result.TryGetProperty("sites", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array)
                            {
                                foreach (var site in list.EnumerateArray())
                                {
                                    sites.Add(new SiteInfo { Url = Json.String(site, "url") ?? "", IsDefault = Json.Flag(site, "is_default"), Source = Json.String(site, "source"), HasToken = Json.Flag(site, "has_token") });
                                }
                            }
                            return sites;
                        }
                        if (engine.Failure != null) { return sites; }
                    }
                }
            }
            catch (Exception e) when (e is EngineFailure || e is EngineNotExecutable || e is EngineVersionMismatch || e is System.IO.IOException || e is InvalidOperationException)
            {
                return sites;
            }
            return sites;
        }
    }
}
