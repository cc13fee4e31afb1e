// A PowerShell host for tests: answers PromptForChoice from a queue and records everything the
// cmdlet shows through the host (prompts, What if lines, Write-Host, progress).
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace GitlabCliTests
{
    public sealed class PromptRecord
    {
        public string Caption { get; set; }
        public string Message { get; set; }
        public string[] Choices { get; set; }
        public int Answer { get; set; }
        /// <summary>What ObserveUrl answered when this prompt was shown (null without one).</summary>
        public string Observed { get; set; }
    }

    public sealed class ScriptedHostUI : PSHostUserInterface
    {
        public readonly Queue<int> Answers = new Queue<int>();
        public readonly List<PromptRecord> Prompts = new List<PromptRecord>();
        public readonly List<string> Lines = new List<string>();
        public readonly List<ProgressRecord> Progress = new List<ProgressRecord>();
        /// <summary>The answers to Prompt for a SecureString field (asked without echo), in order.</summary>
        public readonly Queue<string> SecureLines = new Queue<string>();
        /// <summary>A URL fetched at every prompt (e.g. the fake's request record), so a test can
        /// see what had been sent by the time the question was asked.</summary>
        public string ObserveUrl;
        private static readonly System.Net.Http.HttpClient Http = new System.Net.Http.HttpClient(new System.Net.Http.HttpClientHandler { UseProxy = false });
        private readonly System.Text.StringBuilder current = new System.Text.StringBuilder();

        public override PSHostRawUserInterface RawUI { get { return null; } }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            var labels = new List<string>();
            foreach (var choice in choices) { labels.Add(choice.Label); }
            if (Answers.Count == 0)
            {
                throw new InvalidOperationException("ScriptedHost: no answer queued for prompt: " + message);
            }
            int answer = Answers.Dequeue();
            string observed = ObserveUrl == null ? null : Http.GetStringAsync(ObserveUrl).GetAwaiter().GetResult();
            Prompts.Add(new PromptRecord { Caption = caption, Message = message, Choices = labels.ToArray(), Answer = answer, Observed = observed });
            return answer;
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            // A SecureString field (Read-Host -AsSecureString's way) is answered from SecureLines;
            // its label is recorded as a line, the answer never.
            if (descriptions.Count == 1 && descriptions[0].ParameterTypeFullName == typeof(SecureString).FullName && SecureLines.Count > 0)
            {
                Lines.Add(descriptions[0].Name + ": ");
                var secure = new SecureString();
                foreach (char c in SecureLines.Dequeue()) { secure.AppendChar(c); }
                secure.MakeReadOnly();
                return new Dictionary<string, PSObject> { { descriptions[0].Name, PSObject.AsPSObject(secure) } };
            }
            throw new InvalidOperationException("ScriptedHost: unexpected Prompt: " + message);
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
        {
            throw new InvalidOperationException("ScriptedHost: unexpected PromptForCredential");
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
        {
            throw new InvalidOperationException("ScriptedHost: unexpected PromptForCredential");
        }

        public override string ReadLine() { throw new InvalidOperationException("ScriptedHost: unexpected ReadLine"); }
        public override SecureString ReadLineAsSecureString() { throw new InvalidOperationException("ScriptedHost: unexpected ReadLineAsSecureString"); }

        public override void Write(string value) { current.Append(value); }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { current.Append(value); }
        public override void WriteLine(string value) { current.Append(value); Lines.Add(current.ToString()); current.Clear(); }
        public override void WriteErrorLine(string value) { Lines.Add("ERROR: " + value); }
        public override void WriteDebugLine(string message) { Lines.Add("DEBUG: " + message); }
        public override void WriteVerboseLine(string message) { Lines.Add("VERBOSE: " + message); }
        public override void WriteWarningLine(string message) { Lines.Add("WARNING: " + message); }
        public override void WriteProgress(long sourceId, ProgressRecord record) { Progress.Add(record); }
    }

    public sealed class ScriptedHost : PSHost
    {
        private readonly ScriptedHostUI ui = new ScriptedHostUI();
        private readonly Guid id = Guid.NewGuid();

        public ScriptedHostUI ScriptedUI { get { return ui; } }
        public override PSHostUserInterface UI { get { return ui; } }
        public override string Name { get { return "GitlabCliTests.ScriptedHost"; } }
        public override Version Version { get { return new Version(1, 0); } }
        public override Guid InstanceId { get { return id; } }
        public override CultureInfo CurrentCulture { get { return CultureInfo.CurrentCulture; } }
        public override CultureInfo CurrentUICulture { get { return CultureInfo.CurrentUICulture; } }
        public override void EnterNestedPrompt() { throw new InvalidOperationException("ScriptedHost: no nested prompts"); }
        public override void ExitNestedPrompt() { }
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }
}
