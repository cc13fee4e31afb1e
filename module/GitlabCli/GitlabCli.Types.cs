// Types the GitlabCli module needs from .NET rather than from PowerShell classes: a PowerShell
// class method runs in the runspace that defined it, so a module imported into a second runspace
// (ForEach-Object -Parallel, a custom host, an editor) would call into the first one. These have
// no such affinity. The module compiles this file once per process when it is imported.
using System;
using System.Management.Automation;

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
}
