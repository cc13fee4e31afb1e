// Errors as PowerShell sees them: GitlabCliException with the engine's facts, and ErrorRecords
// with ErrorId GitlabCli.<Kind>, a category per kind, the record as target object and the hint as
// the recommended action (docs/ARCHITECTURE.md, "Error kinds").
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;

namespace GitlabCli
{
    /// <summary>
    /// An error the engine (or the module) reported, with the facts it gave. Its ErrorRecord carries
    /// the ErrorId GitlabCli.&lt;Kind&gt;; scripts can branch on Kind or Status.
    /// </summary>
    public class GitlabCliException : Exception
    {
        public GitlabCliException(string message, string kind) : base(message)
        {
            Kind = kind;
            CausedBy = new string[0];
            Tokens = new PSObject[0];
        }

        public GitlabCliException(string message, string kind, Exception inner) : base(message, inner)
        {
            Kind = kind;
            CausedBy = new string[0];
            Tokens = new PSObject[0];
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

        /// <summary>
        /// When this error ended a pipeline: every token the pipeline created (Gitlab.NewPersonalAccessToken
        /// objects, values included), because PowerShell discards an assignment's output then.
        /// </summary>
        public PSObject[] Tokens { get; set; }
    }

    public static class ErrorRecords
    {
        /// <summary>The key under which an exception that ended a pipeline carries the tokens it created.</summary>
        public const string TokensKey = "GitlabCli.Tokens";

        private static readonly Dictionary<string, ErrorCategory> categories = new Dictionary<string, ErrorCategory>
        {
            { "unauthorized", ErrorCategory.AuthenticationError },
            { "forbidden", ErrorCategory.PermissionDenied },
            { "not-found", ErrorCategory.ObjectNotFound },
            { "invalid-argument", ErrorCategory.InvalidArgument },
            { "rate-limited", ErrorCategory.LimitsExceeded },
            { "server-error", ErrorCategory.InvalidResult },
            { "network", ErrorCategory.ConnectionError },
            { "config", ErrorCategory.InvalidData },
            { "protocol", ErrorCategory.ProtocolError },
            { "clipboard", ErrorCategory.WriteError },
            { "outcome-unknown", ErrorCategory.OperationStopped },
        };

        /// <summary>'not-found' -> 'NotFound'.</summary>
        public static string PascalKind(string kind)
        {
            var text = new StringBuilder();
            foreach (var part in (kind ?? "").Split('-', '_'))
            {
                if (part.Length == 0) { continue; }
                text.Append(char.ToUpperInvariant(part[0])).Append(part.Substring(1));
            }
            return text.ToString();
        }

        /// <summary>An ErrorRecord from an engine error payload.</summary>
        public static ErrorRecord FromEngine(EngineError error, object target)
        {
            string kind = string.IsNullOrEmpty(error.Kind) ? "protocol" : error.Kind;
            string message = error.Message ?? "";
            if (!string.IsNullOrEmpty(error.GitlabMessage) && !message.Contains(error.GitlabMessage))
            {
                message = (message + " GitLab said: " + error.GitlabMessage).Trim();
            }
            if (message.Length == 0) { message = "The GitlabCli engine reported a " + kind + " error."; }
            var exception = new GitlabCliException(message, kind)
            {
                Status = error.Status,
                GitlabMessage = string.IsNullOrEmpty(error.GitlabMessage) ? null : error.GitlabMessage,
                Hint = string.IsNullOrEmpty(error.Hint) ? null : error.Hint,
                Parameter = string.IsNullOrEmpty(error.Parameter) ? null : error.Parameter,
                RetryAfter = error.RetryAfter,
                CausedBy = error.CausedBy ?? new string[0],
            };
            ErrorCategory category;
            if (!categories.TryGetValue(kind, out category)) { category = ErrorCategory.NotSpecified; }
            var record = new ErrorRecord(exception, "GitlabCli." + PascalKind(kind), category, target);
            if (exception.Hint != null)
            {
                record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = exception.Hint };
            }
            return record;
        }

        /// <summary>An ErrorRecord from an error payload given as a dictionary (kind, message, hint, ...).</summary>
        public static ErrorRecord FromDictionary(System.Collections.IDictionary error, object target)
        {
            return FromEngine(EngineError.FromDictionary(error), target);
        }

        public static ErrorRecord EngineNotFound(System.IO.FileNotFoundException e)
        {
            var record = new ErrorRecord(e, "GitlabCli.EngineNotFound", ErrorCategory.ObjectNotFound, e.FileName);
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = Engine.NotFoundFix };
            return record;
        }

        public static ErrorRecord EngineNotExecutable(EngineNotExecutable e)
        {
            var record = new ErrorRecord(e, "GitlabCli.EngineNotExecutable", ErrorCategory.PermissionDenied, e.Path);
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = e.Fix };
            return record;
        }

        /// <summary>GitlabCli.EngineFailed: the engine at <paramref name="path"/> and what went wrong, with what it wrote to stderr.</summary>
        public static ErrorRecord EngineFailed(string path, string message, Exception inner, object target)
        {
            var exception = inner == null ? new InvalidOperationException(message) : new InvalidOperationException(message, inner);
            var record = new ErrorRecord(exception, "GitlabCli.EngineFailed", ErrorCategory.InvalidResult, target ?? path);
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Run ./build.ps1 to rebuild the engine; if it keeps failing, report the error output above." };
            return record;
        }
    }
}
