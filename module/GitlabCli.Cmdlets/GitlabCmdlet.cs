// The base of every GitlabCli cmdlet: one engine per pipeline, requests and their answers, the
// engine's stream messages forwarded to PowerShell's streams, and engine failures as errors.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using System.Text.Json;

namespace GitlabCli
{
    public abstract class GitlabCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>Which parameters are bound for the current record (the setters report to it).</summary>
        protected readonly RecordBinding Binding = new RecordBinding();

        /// <summary>Refusals found while binding (see <see cref="BindingRefusals"/>).</summary>
        protected List<EngineError> BindingProblems = new List<EngineError>();

        private Engine engine;
        private bool showVerbose;
        private bool showDebug;
        private static readonly PropertyInfo currentPipelineObject =
            typeof(Cmdlet).GetProperty("CurrentPipelineObject", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? typeof(Cmdlet).BaseType?.GetProperty("CurrentPipelineObject", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

        protected override void BeginProcessing()
        {
            Binding.Begin();
            // Only refusals of a parameter this command has bound (one left by a binding that failed
            // later, on this thread, belongs to no command).
            BindingProblems = BindingRefusals.Take().FindAll(p => p.BoundParameter != null && MyInvocation.BoundParameters.ContainsKey(p.BoundParameter));
            // The engine sends verbose and debug messages for every HTTP request: they are dropped
            // in the channel unless they would show.
            showVerbose = Shows("Verbose", "VerbosePreference");
            showDebug = Shows("Debug", "DebugPreference");
        }

        private bool Shows(string parameter, string preference)
        {
            if (MyInvocation.BoundParameters.TryGetValue(parameter, out object bound))
            {
                return LanguagePrimitives.IsTrue(bound is SwitchParameter s ? s.IsPresent : bound);
            }
            object value = GetVariableValue(preference);
            string text = value == null ? "SilentlyContinue" : value.ToString();
            return !string.Equals(text, "SilentlyContinue", StringComparison.OrdinalIgnoreCase) && !string.Equals(text, "Ignore", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The pipeline's engine, started on first use.</summary>
        protected Engine Engine
        {
            get
            {
                if (engine == null)
                {
                    try
                    {
                        engine = Engine.Start();
                    }
                    catch (System.IO.FileNotFoundException e)
                    {
                        ThrowTerminatingError(ErrorRecords.EngineNotFound(e));
                    }
                    catch (EngineNotExecutable e)
                    {
                        ThrowTerminatingError(ErrorRecords.EngineNotExecutable(e));
                    }
                    catch (EngineFailure e)
                    {
                        ThrowTerminatingError(ErrorRecords.EngineFailed(Engine.CurrentPath, "The GitlabCli engine (" + Engine.CurrentPath + ") " + e.Message, e, null));
                    }
                }
                return engine;
            }
        }

        protected bool HasEngine => engine != null;

        /// <summary>The object being processed: the piped record, or null for a direct call.</summary>
        protected object CurrentInput
        {
            get
            {
                if (!MyInvocation.ExpectingInput || currentPipelineObject == null) { return null; }
                object value = currentPipelineObject.GetValue(this);
                return value;
            }
        }

        /// <summary>The target object of a record's errors: the piped record, or the parameters of a direct call.</summary>
        protected object ErrorTarget()
        {
            object input = CurrentInput;
            if (input != null) { return input; }
            var properties = new PSObject();
            foreach (var pair in MyInvocation.BoundParameters)
            {
                if (CommonParameters.Contains(pair.Key) || OptionalCommonParameters.Contains(pair.Key) || Array.IndexOf(SecretParameters, pair.Key) >= 0) { continue; }
                properties.Properties.Add(new PSNoteProperty(pair.Key, pair.Value));
            }
            return properties;
        }

        /// <summary>Parameters that hold a secret (Add-GitlabSite's token): never in an error's target.</summary>
        protected virtual string[] SecretParameters => new string[0];

        /// <summary>
        /// The error of a record the module refused itself. Text that cannot be sent names the
        /// parameter as the user typed it: the bound parameter that holds the text, from this
        /// cmdlet's own parameters (no table of names of its own).
        /// </summary>
        protected EngineError RefusalOf(RecordRefused refused)
        {
            if (!(refused is UnsendableText text)) { return refused.Error; }
            string shown = null;
            foreach (var pair in MyInvocation.BoundParameters)
            {
                object value = pair.Value is PSObject wrapped ? wrapped.BaseObject : pair.Value;
                bool holds = value is string s ? s == text.Value : value is string[] many && Array.IndexOf(many, text.Value) >= 0;
                if (!holds) { continue; }
                // Where two parameters hold the same text, the one named like the protocol's.
                if (shown == null || string.Equals(pair.Key.Replace("_", ""), text.Parameter.Replace("_", ""), StringComparison.OrdinalIgnoreCase)) { shown = "-" + pair.Key; }
            }
            return shown == null ? refused.Error : UnsendableText.Describe(text.Parameter, shown, text.Surrogate, text.Position);
        }

        /// <summary>
        /// Waits for the terminal message of request <paramref name="id"/>, forwarding stream messages
        /// on the way (engine progress nests under <paramref name="parentProgressId"/>, -1 for none).
        /// Throws EngineFailure when the engine stops working.
        /// </summary>
        protected EngineMessage Receive(string id, int parentProgressId)
        {
            while (true)
            {
                var message = TryReceive(id, parentProgressId, 250);
                if (message != null) { return message; }
                // A request that changes nothing is not worth waiting for once the pipeline stops.
                if (Stopping && !AwaitAnswersWhenStopped) { throw new PipelineStoppedException(); }
            }
        }

        /// <summary>
        /// As <see cref="Receive"/>, but only for <paramref name="waitMilliseconds"/> (0: only what has
        /// arrived): the terminal message, or null when it has not arrived yet (the stream messages
        /// that did are forwarded, so a later call goes on from there).
        /// </summary>
        protected EngineMessage TryReceive(string id, int parentProgressId, int waitMilliseconds)
        {
            var batch = engine.Read(id, waitMilliseconds, showVerbose, showDebug);
            foreach (var message in batch)
            {
                switch (message.Type)
                {
                    case "verbose": WriteVerbose(message.Text); break;
                    case "debug": WriteDebug(message.Text); break;
                    case "warning": WriteWarning(message.Text); break;
                    case "progress": WriteEngineProgress(message.Root, parentProgressId); break;
                    default:
                        if (message.IsTerminal) { return message; }
                        throw new EngineFailure("wrote a message of unknown type '" + message.Type + "'.");
                }
            }
            if (engine.Failure != null) { throw new EngineFailure(engine.Failure); }
            return null;
        }

        /// <summary>
        /// Whether an answer is still awaited after Ctrl+C: yes where a request may have changed
        /// something (a create or rotation must be accounted for), no for reads.
        /// </summary>
        protected virtual bool AwaitAnswersWhenStopped => false;

        /// <summary>Sends one request and waits for its answer (plans, lists, single gets).</summary>
        protected EngineMessage Call(string mode, string command, string paramsJson, string what)
        {
            string id = Engine.Send(mode, command, paramsJson);
            try
            {
                if (id == null) { throw new EngineFailure(Engine.Failure); }
                return Receive(id, -1);
            }
            catch (EngineFailure failure)
            {
                ThrowTerminatingError(EngineFailedRecord(failure, what, null));
                return null;
            }
            catch (EngineVersionMismatch mismatch)
            {
                ThrowTerminatingError(ErrorRecords.EngineFailed(Engine.ExecutablePath, mismatch.Message, mismatch, null));
                return null;
            }
        }

        private void WriteEngineProgress(JsonElement body, int parentProgressId)
        {
            string activity = Json.String(body, "activity");
            string status = Json.String(body, "status");
            if (string.IsNullOrEmpty(activity)) { activity = "GitlabCli"; }
            if (string.IsNullOrEmpty(status)) { status = "Working"; }
            // A stable id per activity, distinct from the cmdlet's own bar (id 1).
            int id = 1000 + ((activity.GetHashCode() & 0x7fffffff) % 100000);
            var record = new ProgressRecord(id, activity, status) { ParentActivityId = parentProgressId };
            long? percent = Json.Whole(body, "percent");
            if (percent.HasValue) { record.PercentComplete = (int)Math.Max(0, Math.Min(100, percent.Value)); }
            if (Json.Flag(body, "completed")) { record.RecordType = ProgressRecordType.Completed; }
            WriteProgress(record);
        }

        /// <summary>
        /// GitlabCli.EngineFailed for a failure while <paramref name="what"/> (the record, by its
        /// target): the reason, the exit code and what the engine wrote to stderr. Closes the engine.
        /// </summary>
        protected ErrorRecord EngineFailedRecord(EngineFailure failure, string what, object target)
        {
            string path = engine?.ExecutablePath ?? Engine.CurrentPath;
            string stderr = engine?.Stderr() ?? "";
            int? exitCode = engine?.ExitCode;
            string reason = failure.Message.TrimEnd('.');
            if (!string.IsNullOrEmpty(what)) { reason += " while " + what; }
            if (exitCode.HasValue) { reason += " (exit code " + exitCode.Value.ToString(CultureInfo.InvariantCulture) + ")"; }
            string message = "The GitlabCli engine (" + path + ") " + reason + ".";
            if (stderr.Length > 0) { message += " Its error output: " + stderr; }
            CloseEngine(0);
            return ErrorRecords.EngineFailed(path, message, failure, target);
        }

        /// <summary>Writes an error and remembers it (for the tokens a terminating error must carry).</summary>
        protected void WriteRecordError(ErrorRecord record)
        {
            BeforeRecordError();
            LastError = record;
            try
            {
                WriteError(record);
            }
            catch (Exception e) when (e is PipelineStoppedException || e is ActionPreferenceStopException)
            {
                // -ErrorAction Stop or $ErrorActionPreference = 'Stop': this error ends the pipeline.
                ErrorStopped = true;
                throw;
            }
        }

        /// <summary>Runs before each of <see cref="WriteRecordError"/>'s errors: where earlier records' answers are still due, they go first, so errors keep input order.</summary>
        protected virtual void BeforeRecordError() { }

        /// <summary>Whether one of this cmdlet's own errors ended the pipeline.</summary>
        protected bool ErrorStopped { get; private set; }

        /// <summary>The last error this cmdlet wrote.</summary>
        protected ErrorRecord LastError { get; private set; }

        /// <summary>A line for the host that bypasses the pipeline's streams (which a stopped pipeline closes).</summary>
        protected void WriteHostWarning(string text)
        {
            try
            {
                WriteWarning(text);
                return;
            }
            catch (PipelineStoppedException) { }
            try { Host.UI.WriteWarningLine(text); } catch (Exception e) when (e is System.Management.Automation.Host.HostException || e is NotImplementedException || e is InvalidOperationException) { }
        }

        /// <summary>A message for the host (as Write-Host), never a token value.</summary>
        protected void WriteHostLine(string text)
        {
            WriteInformation(new HostInformationMessage { Message = text }, new[] { "PSHOST" });
        }

        protected void CloseEngine(int timeoutMilliseconds)
        {
            engine?.Close(timeoutMilliseconds);
        }

        protected override void EndProcessing()
        {
            CloseEngine(5000);
        }

        public void Dispose()
        {
            // Always runs, however the pipeline ended (Ctrl+C, a terminating error upstream), in
            // every PowerShell version. After a normal end the engine is already closed.
            CloseEngine(Stopping ? 0 : 2000);
        }
    }
}
