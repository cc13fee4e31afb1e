// Types the GitlabCli module needs from .NET rather than from PowerShell classes: a PowerShell
// class method runs in the runspace that defined it, so a module imported into a second runspace
// (ForEach-Object -Parallel, a custom host, an editor) would call into the first one. These have
// no such affinity. The module compiles this file once per process when it is imported.
using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Text.Json;

namespace GitlabCli
{
    /// <summary>
    /// The valid values of -Scope: the scopes the engine accepts, read at import from the
    /// committed protocol schema (its "scope" enum), so the engine stays their single source.
    /// </summary>
    public sealed class GitlabScopes : IValidateSetValuesGenerator
    {
        private static string[] values = new string[0];

        public static string[] Values
        {
            get { return (string[])values.Clone(); }
            set { values = value == null ? new string[0] : (string[])value.Clone(); }
        }

        public string[] GetValidValues()
        {
            return Values;
        }
    }

    /// <summary>
    /// An error the engine reported, with the facts it gave. Its ErrorRecord carries the ErrorId
    /// GitlabCli.&lt;Kind&gt;; scripts can branch on Kind or Status.
    /// </summary>
    public class GitlabCliException : Exception
    {
        public GitlabCliException(string message, string kind) : base(message)
        {
            Kind = kind;
            CausedBy = new string[0];
        }

        /// <summary>The engine's error kind, e.g. "not-found".</summary>
        public string Kind { get; private set; }

        /// <summary>The HTTP status GitLab answered with, if any.</summary>
        public int? Status { get; set; }

        /// <summary>GitLab's own words, if GitLab answered with an error.</summary>
        public string GitlabMessage { get; set; }

        /// <summary>How to fix it, if the engine knows.</summary>
        public string Hint { get; set; }

        /// <summary>The parameter at fault, in protocol spelling (expires_at).</summary>
        public string Parameter { get; set; }

        /// <summary>Seconds GitLab asked to wait, for rate-limited errors.</summary>
        public long? RetryAfter { get; set; }

        /// <summary>Underlying causes, outermost first.</summary>
        public string[] CausedBy { get; set; }
    }

    /// <summary>
    /// Engine messages as plain PowerShell values. Done here rather than in script because a
    /// recursive PowerShell function costs about 1.5 ms per message, most of the module's work
    /// per piped record.
    /// </summary>
    public static class JsonValues
    {
        /// <summary>
        /// Strings stay strings (no date guessing), whole numbers become long, other numbers
        /// double, objects ordered dictionaries and arrays object[].
        /// </summary>
        public static object ToPowerShell(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    long whole;
                    if (element.TryGetInt64(out whole)) { return whole; }
                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                case JsonValueKind.Object:
                    var table = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        table[property.Name] = ToPowerShell(property.Value);
                    }
                    return table;
                case JsonValueKind.Array:
                    var items = new List<object>();
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        items.Add(ToPowerShell(item));
                    }
                    return items.ToArray();
                default:
                    return null;
            }
        }
    }
}
