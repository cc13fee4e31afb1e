// The one pipeline of every cmdlet that changes something (New, Rotate, Revoke; the group and
// project token cmdlets to come): per record bind, plan, confirm and queue (ProcessRecord); at the
// end run the queue with a window of requests in flight, output in input order, progress, and
// engine failures as per-record errors. However the pipeline ends, no created token is lost:
// docs/ARCHITECTURE.md, "Stopping early".
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

namespace GitlabCli
{
    /// <summary>A confirmed record waiting to run.</summary>
    public sealed class QueuedChange
    {
        /// <summary>The plan's normalised params, verbatim, so the run is what was confirmed.</summary>
        public string ParamsJson { get; internal set; }
        /// <summary>How the record is named in prompts and errors.</summary>
        public string Target { get; internal set; }
        /// <summary>The error target: the piped record, or the parameters of a direct call.</summary>
        public object Input { get; internal set; }
        internal string RequestId;
        internal PSObject Token;
        internal bool Delivered;
    }

    public abstract class TokenChangeCmdlet : GitlabCmdlet
    {
        /// <summary>The variable that holds tokens a pipeline created but could not output.</summary>
        public const string RescueVariable = "GitlabCliRescued";

        private readonly List<QueuedChange> queue = new List<QueuedChange>();
        private readonly List<PSObject> created = new List<PSObject>();
        private volatile bool interruptedByUser;

        /// <summary>Ctrl+C (or PowerShell.Stop()): runs on another thread; the run loop sends nothing more.</summary>
        protected override void StopProcessing()
        {
            interruptedByUser = true;
            base.StopProcessing();
        }

        protected override bool AwaitAnswersWhenStopped => true;

        /// <summary>The protocol command, e.g. create-personal-access-token.</summary>
        protected abstract string Command { get; }

        /// <summary>The progress bar's activity, e.g. "Creating personal access tokens".</summary>
        protected abstract string Activity { get; }

        /// <summary>"The token for {0} may have been created" and the like, for an engine that dies.</summary>
        protected abstract string MaybeDone { get; }

        /// <summary>"No token was created for {0}" and the like.</summary>
        protected abstract string NotDone { get; }

        /// <summary>The params of this record's plan request, or null after writing why it is refused.</summary>
        protected abstract ParamsWriter RecordParams();

        /// <summary>How many run requests may be unanswered at once: the engine's concurrency.</summary>
        protected virtual int RunWindow => Engine.Hello.Concurrency;

        /// <summary>Whether -CopyToClipboard was given (it holds one token only).</summary>
        protected virtual bool CopyToClipboardGiven => false;

        /// <summary>Whether a token this cmdlet's runs create can be revoked when the pipeline is stopped (a rotation's cannot).</summary>
        protected virtual bool RevokeWhenStopped => true;

        /// <summary>The -ExpiresAt text as typed, if any, to warn when the culture would read it as another date.</summary>
        protected virtual string TypedExpiry => null;

        /// <summary>What a run's result outputs. The default: the new token (or a host line when it went to the clipboard).</summary>
        protected virtual void Deliver(QueuedChange item, EngineMessage result)
        {
            var token = ReadToken(result.Result);
            item.Token = token;
            created.Add(token);
            if (Json.Flag(result.Result, "copied_to_clipboard"))
            {
                item.Delivered = true;
                WriteHostLine(ClipboardLine(token, item));
                return;
            }
            WriteObject(token);
            item.Delivered = true;
        }

        protected virtual string ClipboardLine(PSObject token, QueuedChange item)
        {
            return "Copied the new personal access token '" + token.Properties["Name"]?.Value + "' (id " + token.Properties["Id"]?.Value + ") for " + item.Target
                + " to the clipboard. GitLab shows it only this once: paste it where it belongs now.";
        }

        /// <summary>A new token as output; a field of an unexpected type must not lose it.</summary>
        protected PSObject ReadToken(JsonElement result)
        {
            try
            {
                return TokenRecords.New(result);
            }
            catch (Exception e) when (e is FormatException || e is InvalidOperationException)
            {
                WriteHostWarning("GitlabCli could not read every field of the new token's details (" + e.Message + "); the token is output with the fields that could be read. Store it now: GitLab shows it only once.");
                return TokenRecords.Fallback(result);
            }
        }

        /// <summary>A record whose plan request was written and whose answer is not read yet.</summary>
        private sealed class PendingPlan
        {
            public string RequestId;
            /// <summary>The record's error target, as at its binding.</summary>
            public object Target;
            /// <summary>The piped object, as at its binding (for <see cref="WithPipedName"/>).</summary>
            public object Input;
            /// <summary>"checking …", for an engine failure while planning it.</summary>
            public string Checking;
            public string TypedExpiry;
        }

        // Plans written and not yet confirmed, in input order. Where no prompt can be shown
        // (-WhatIf, -Confirm:$false, an impact below $ConfirmPreference), later records' plans are
        // written before earlier ones are answered (up to PlanWindow, flushed PlanBatch at a time),
        // so a record costs no round trip of its own; each is still confirmed as its plan arrives,
        // in input order, before anything is run. Where a prompt may be shown, each record waits for
        // its own plan, so the prompt comes while its record is processed.
        private readonly Queue<PendingPlan> plans = new Queue<PendingPlan>();
        private const int PlanWindow = 256;
        private const int PlanBatch = 32;
        private int unflushedPlans;
        private bool? pipelinePlans;
        private bool confirmingPlans;
        // The record whose plan is being confirmed, while ShownTarget runs.
        private PendingPlan confirming;

        protected override void ProcessRecord()
        {
            try
            {
                if (pipelinePlans == null) { pipelinePlans = !MayPrompt(); }
                object target = ErrorTarget();
                if (BindingProblems.Count > 0)
                {
                    foreach (var problem in BindingProblems) { WriteRecordError(ErrorRecords.FromEngine(problem, target)); }
                    return;
                }
                string json;
                try
                {
                    var writer = RecordParams();
                    if (writer == null) { return; }
                    json = writer.ToJson();
                }
                catch (RecordRefused refused)
                {
                    WriteRecordError(ErrorRecords.FromEngine(RefusalOf(refused), target));
                    return;
                }
                var pending = new PendingPlan { Target = target, Input = CurrentInput, Checking = "checking " + DescribeRecord(), TypedExpiry = TypedExpiry };
                pending.RequestId = Engine.Send("plan", Command, json, false);
                plans.Enqueue(pending);
                unflushedPlans++;
                ConfirmPlans(pipelinePlans.Value ? PlanWindow : 0);
            }
            finally
            {
                Binding.EndRecord();
            }
        }

        /// <summary>
        /// Whether ShouldProcess may prompt in this pipeline, by PowerShell's rules (-WhatIf never
        /// prompts; -Confirm always; otherwise the cmdlet's impact against $ConfirmPreference).
        /// When unsure, yes: a wrong yes only costs speed, never a prompt's place.
        /// </summary>
        private bool MayPrompt()
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.TryGetValue("WhatIf", out object whatIf) ? IsOn(whatIf) : IsOn(GetVariableValue("WhatIfPreference"))) { return false; }
            if (bound.TryGetValue("Confirm", out object confirm)) { return IsOn(confirm); }
            if (!LanguagePrimitives.TryConvertTo(GetVariableValue("ConfirmPreference"), out ConfirmImpact preference)) { return true; }
            if (preference == ConfirmImpact.None) { return false; }
            var declared = (CmdletAttribute)Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute));
            return (declared?.ConfirmImpact ?? ConfirmImpact.Medium) >= preference;
        }

        private static bool IsOn(object value)
        {
            return LanguagePrimitives.IsTrue(value is SwitchParameter s ? s.IsPresent : value);
        }

        /// <summary>
        /// Confirms the written plans whose answers have arrived, in input order, waiting for the
        /// oldest while more than <paramref name="mostLeft"/> are unanswered (0: all of them).
        /// </summary>
        private void ConfirmPlans(int mostLeft)
        {
            if (confirmingPlans) { return; }
            confirmingPlans = true;
            try
            {
                if (unflushedPlans >= PlanBatch || (unflushedPlans > 0 && plans.Count > mostLeft)) { FlushPlans(); }
                while (plans.Count > 0)
                {
                    var pending = plans.Peek();
                    bool wait = plans.Count > mostLeft;
                    if (wait && unflushedPlans > 0) { FlushPlans(); }
                    var answer = PlanAnswer(pending, wait);
                    if (answer == null) { return; }
                    plans.Dequeue();
                    ConfirmPlan(pending, answer);
                }
            }
            finally
            {
                confirmingPlans = false;
            }
        }

        private void FlushPlans()
        {
            unflushedPlans = 0;
            // A failed flush sets Engine.Failure, which reading the answers reports.
            Engine.Flush();
        }

        /// <summary>The plan's answer (waiting for it, or null when it has not arrived); an engine failure is terminating and names the record.</summary>
        private EngineMessage PlanAnswer(PendingPlan pending, bool wait)
        {
            try
            {
                if (pending.RequestId == null) { throw new EngineFailure(Engine.Failure ?? "stopped reading requests."); }
                return wait ? Receive(pending.RequestId, -1) : TryReceive(pending.RequestId, -1, 0);
            }
            catch (EngineFailure failure)
            {
                plans.Clear();
                ThrowTerminatingError(EngineFailedRecord(failure, pending.Checking, null));
            }
            catch (EngineVersionMismatch mismatch)
            {
                plans.Clear();
                ThrowTerminatingError(ErrorRecords.EngineFailed(Engine.ExecutablePath, mismatch.Message, mismatch, null));
            }
            return null;
        }

        /// <summary>A record's plan has arrived: its error, or ShouldProcess and, when confirmed, the queue.</summary>
        private void ConfirmPlan(PendingPlan pending, EngineMessage answer)
        {
            if (answer.Type != "plan")
            {
                WriteRecordError(ErrorRecords.FromEngine(answer.Error("plan"), pending.Target));
                return;
            }
            var plan = answer.Plan;
            JsonElement planParams = plan.TryGetProperty("params", out var p) ? p : default(JsonElement);
            WarnAboutCultureDate(planParams, pending.TypedExpiry);
            string shownTarget;
            confirming = pending;
            try
            {
                shownTarget = ShownTarget(Json.String(plan, "target") ?? "");
            }
            finally
            {
                confirming = null;
            }
            if (Confirm(shownTarget, Json.String(plan, "action") ?? Command, pending.Target))
            {
                string run;
                try
                {
                    run = RunParams(plan, planParams);
                }
                catch (RecordRefused refused)
                {
                    WriteRecordError(ErrorRecords.FromEngine(RefusalOf(refused), pending.Target));
                    return;
                }
                if (run != null) { queue.Add(new QueuedChange { ParamsJson = run, Target = shownTarget, Input = pending.Target }); }
            }
        }

        /// <summary>A record's own error waits for the earlier records' plans, so output keeps input order.</summary>
        protected override void BeforeRecordError()
        {
            if (plans.Count > 0) { ConfirmPlans(0); }
        }

        /// <summary>
        /// The params a confirmed record runs with: the plan's, verbatim. A cmdlet may ask a further
        /// question here or add what a plan never carries (Add-GitlabSite: the plan's confirm
        /// question, the access token); null leaves the record out. Like ShownTarget it runs when the
        /// plan arrives, which may be after later records were bound.
        /// </summary>
        protected virtual string RunParams(JsonElement plan, JsonElement planParams) { return planParams.GetRawText(); }

        /// <summary>The Get cmdlet that lists this cmdlet's tokens: the hints that say how to check what happened name it, and a rotation's piped Active and Revoked come from its objects.</summary>
        protected virtual string ListCmdlet => "Get-GitlabPersonalAccessToken";

        /// <summary>The record, for an engine failure while planning it ("the token 'x'"; the pipeline adds "checking").</summary>
        protected virtual string DescribeRecord()
        {
            return "record " + (queue.Count + plans.Count + 1).ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// The plan's target as prompts and errors show it. Called when the plan arrives, which may
        /// be after later records were bound: use the plan's target and <see cref="WithPipedName"/>,
        /// not the cmdlet's parameters.
        /// </summary>
        protected virtual string ShownTarget(string planTarget) { return planTarget; }

        /// <summary>A piped token's name makes the prompt readable; the plan itself sends nothing to learn it.</summary>
        protected string WithPipedName(string planTarget)
        {
            object input = confirming != null ? confirming.Input : CurrentInput;
            if (input == null) { return planTarget; }
            var name = PSObject.AsPSObject(input).Properties["Name"]?.Value;
            string text = name == null ? "" : Convert.ToString(name, CultureInfo.InvariantCulture);
            return text.Length == 0 ? planTarget : planTarget + " ('" + text + "')";
        }

        /// <summary>
        /// ShouldProcess; where it would have to ask but cannot (pwsh -NonInteractive) a terminating
        /// GitlabCli.InvalidArgument, so a script sees it fail.
        /// </summary>
        private bool Confirm(string target, string action, object errorTarget)
        {
            try
            {
                return ShouldProcess(target, action);
            }
            catch (Exception e) when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException || e is NotImplementedException)
            {
                var refusal = EngineError.Refusal(
                    "Confirming '" + action + "' on " + target + " needs an answer, but this PowerShell session cannot ask (it is non-interactive, e.g. pwsh -NonInteractive), so nothing was sent.",
                    "Confirm",
                    "Pass -Confirm:$false to go ahead without asking, -WhatIf to see what would happen, or run the command in an interactive session.");
                var record = ErrorRecords.FromEngine(refusal, errorTarget);
                CloseEngine(0);
                ThrowTerminatingError(record);
                return false;
            }
        }

        /// <summary>
        /// The engine alone reads a typed date (src/dates.rs). Where the user's culture would read the
        /// same text as another date, say so, naming both.
        /// </summary>
        private void WarnAboutCultureDate(JsonElement planParams, string typed)
        {
            string chosen = Json.String(planParams, "expires_at");
            if (string.IsNullOrWhiteSpace(typed) || chosen == null) { return; }
            var culture = CultureInfo.CurrentCulture;
            if (!DateTime.TryParse(typed, culture, DateTimeStyles.None, out DateTime local)) { return; }
            string read = local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (read == chosen) { return; }
            WriteWarning("-ExpiresAt '" + typed + "' is read as " + chosen + " (GitlabCli reads numeric dates month first, as PowerShell's [datetime] does), but your culture ("
                + culture.Name + ") would read it as " + read + ". Write the date as yyyy-MM-dd (" + read + " or " + chosen + ") to say which you mean.");
        }

        protected override void EndProcessing()
        {
            try
            {
                ConfirmPlans(0);
                RunQueue();
            }
            finally
            {
                CloseEngine(5000);
            }
        }

        private void RunQueue()
        {
            int count = queue.Count;
            if (count == 0) { return; }
            if (CopyToClipboardGiven && count > 1)
            {
                var inputs = new object[count];
                for (int i = 0; i < count; i++) { inputs[i] = queue[i].Input; }
                WriteRecordError(ErrorRecords.FromEngine(EngineError.Refusal(
                    "-CopyToClipboard holds one token, but " + count + " records were confirmed, so nothing was sent. Leave out -CopyToClipboard to get every token as an object, or run the command for one record at a time.",
                    "CopyToClipboard", "Run the command again without -CopyToClipboard."), inputs));
                return;
            }
            int window = Math.Max(1, RunWindow);
            var outstanding = new Queue<QueuedChange>();
            int next = 0;
            int lastPercent = -1;
            const int progressId = 1;
            QueuedChange current = null;
            bool engineDead = false;
            try
            {
                for (int index = 0; index < count; index++)
                {
                    string sendFailure = null;
                    // After a stop nothing new is sent; what was sent is still answered (below).
                    int written = 0;
                    while (!Stopping && !interruptedByUser && next < count && outstanding.Count < window)
                    {
                        string id = Engine.Send("run", Command, queue[next].ParamsJson, false);
                        if (id == null) { sendFailure = Engine.Failure; break; }
                        queue[next].RequestId = id;
                        outstanding.Enqueue(queue[next]);
                        next++;
                        written++;
                    }
                    // One write to the pipe for the batch.
                    if (written > 0 && !Engine.Flush()) { sendFailure = sendFailure ?? Engine.Failure; }
                    if (interruptedByUser) { throw new PipelineStoppedException(); }
                    if (outstanding.Count == 0)
                    {
                        engineDead = true;
                        ReportEngineDeath(new EngineFailure(sendFailure ?? "stopped reading requests."), outstanding, queue.GetRange(next, count - next));
                        return;
                    }
                    var item = outstanding.Peek();
                    int parent = -1;
                    if (count > 1)
                    {
                        // Once per percent: Write-Progress costs more than the rest of a record's work.
                        int percent = (int)(100L * index / count);
                        if (index == 0 || percent != lastPercent)
                        {
                            WriteProgress(new ProgressRecord(progressId, Activity, (index + 1) + " of " + count + ": " + item.Target) { PercentComplete = percent });
                            lastPercent = percent;
                        }
                        parent = progressId;
                    }
                    EngineMessage answer;
                    try
                    {
                        answer = Receive(item.RequestId, parent);
                    }
                    catch (EngineFailure failure)
                    {
                        engineDead = true;
                        ReportEngineDeath(failure, outstanding, queue.GetRange(next, count - next));
                        return;
                    }
                    outstanding.Dequeue();
                    current = item;
                    if (answer.Type == "result")
                    {
                        Deliver(item, answer);
                    }
                    else
                    {
                        WriteRecordError(ErrorRecords.FromEngine(answer.Error("result"), item.Input));
                    }
                    current = null;
                }
            }
            catch (Exception e)
            {
                KeepTokens(e, current, engineDead ? new Queue<QueuedChange>() : outstanding);
                throw;
            }
            finally
            {
                if (count > 1)
                {
                    try { WriteProgress(new ProgressRecord(progressId, Activity, "Done") { RecordType = ProgressRecordType.Completed }); }
                    catch (PipelineStoppedException) { }
                }
            }
        }

        /// <summary>
        /// The engine died while running: each record sent and not answered may have taken effect
        /// (OutcomeUnknown, saying how to check); each never sent gets EngineFailed. All
        /// non-terminating, so what was already output is kept.
        /// </summary>
        private void ReportEngineDeath(EngineFailure failure, IEnumerable<QueuedChange> inFlight, IEnumerable<QueuedChange> notRun)
        {
            var cause = EngineFailedRecord(failure, null, null);
            string because = cause.Exception.Message;
            foreach (var item in inFlight)
            {
                var error = new EngineError
                {
                    Kind = "outcome-unknown",
                    Message = string.Format(CultureInfo.InvariantCulture, MaybeDone, item.Target) + ": the request was sent, then the GitlabCli engine stopped before answering. " + because,
                    Hint = "Check before trying again: list the tokens with " + ListCmdlet + " or look at Access tokens in GitLab; revoke a token whose value you do not have, then create it again.",
                };
                WriteRecordError(ErrorRecords.FromEngine(error, item.Input));
            }
            foreach (var item in notRun)
            {
                string message = string.Format(CultureInfo.InvariantCulture, NotDone, item.Target) + ": the GitlabCli engine stopped before this record was sent. " + because;
                var record = new ErrorRecord(new InvalidOperationException(message, cause.Exception), "GitlabCli.EngineFailed", ErrorCategory.OperationStopped, item.Input);
                record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Run the command again for the records that were not sent." };
                WriteRecordError(record);
            }
        }

        /// <summary>
        /// The pipeline is ending abnormally (<paramref name="reason"/>): a terminating error, Ctrl+C,
        /// or a downstream Select-Object -First. Reads every answer still due (those requests were
        /// sent, so they may have created tokens). After Ctrl+C a new token that cannot reach the
        /// pipeline is revoked (or, for a rotation, kept in $GitlabCliRescued); otherwise every token
        /// the pipeline created is carried by the exception, kept in $GitlabCliRescued and named in a
        /// warning.
        /// </summary>
        private void KeepTokens(Exception reason, QueuedChange current, Queue<QueuedChange> outstanding)
        {
            // Ctrl+C calls StopProcessing. A stop that reaches this cmdlet through its own WriteObject
            // without one is a command downstream that has what it wants (Select-Object -First).
            // Anything else is a terminating error: this cmdlet's own (-ErrorAction Stop) or one
            // from downstream.
            bool interrupted = interruptedByUser;
            bool stopUpstream = !interrupted && !ErrorStopped && reason is PipelineStoppedException;
            // After -ErrorAction Stop the command downstream may still take objects; try.
            bool downstreamAlive = !interrupted && !stopUpstream;
            var undelivered = new List<PSObject>();
            // Select-Object -First stops the pipeline from inside the WriteObject that gave it its
            // last object: that one was delivered.
            if (current != null && current.Token != null && !current.Delivered && !stopUpstream) { undelivered.Add(current.Token); }
            while (outstanding.Count > 0)
            {
                var item = outstanding.Dequeue();
                EngineMessage answer;
                try
                {
                    answer = ReceiveQuietly(item.RequestId);
                }
                catch (EngineFailure)
                {
                    WriteHostWarning(string.Format(CultureInfo.InvariantCulture, MaybeDone, item.Target) + ": the request was sent, then the GitlabCli engine stopped before answering. Check with " + ListCmdlet + " before trying again.");
                    foreach (var rest in outstanding) { WriteHostWarning(string.Format(CultureInfo.InvariantCulture, MaybeDone, rest.Target) + ": the GitlabCli engine stopped before answering."); }
                    break;
                }
                if (answer.Type != "result" || !answer.Result.TryGetProperty("token", out _)) { continue; }
                var token = ReadToken(answer.Result);
                created.Add(token);
                bool delivered = false;
                if (downstreamAlive)
                {
                    try { WriteObject(token); delivered = true; }
                    catch (Exception e) when (e is PipelineStoppedException || e is RuntimeException) { delivered = false; }
                }
                if (!delivered) { undelivered.Add(token); }
            }

            var kept = new List<PSObject>();
            if (interrupted && RevokeWhenStopped)
            {
                foreach (var token in undelivered)
                {
                    if (!RevokeAbandoned(token)) { kept.Add(token); }
                }
            }
            else if (interrupted)
            {
                foreach (var token in undelivered)
                {
                    kept.Add(token);
                    WriteHostWarning("The pipeline was stopped after GitLab rotated a token: the old one no longer works and the new one (" + TokenRecords.Describe(token)
                        + ") cannot be revoked without leaving you with no working token, so it was not output but kept in $" + RescueVariable + ". Store its Token now: GitLab shows it only once.");
                }
            }
            else if (stopUpstream)
            {
                // What was output reached the command that stopped the pipeline; the rest is kept.
                kept.AddRange(undelivered);
            }
            else
            {
                // An assignment's output is discarded with a terminating error: keep them all.
                kept.AddRange(created);
            }
            if (kept.Count == 0) { return; }

            Rescue(kept);
            var all = (stopUpstream ? kept : created).ToArray();
            reason.Data[ErrorRecords.TokensKey] = all;
            if (reason is IContainsErrorRecord withRecord && withRecord.ErrorRecord?.Exception is GitlabCliException carried) { carried.Tokens = all; }
            if (LastError?.Exception is GitlabCliException last) { last.Tokens = all; }
            if (!interrupted)
            {
                var names = new StringBuilder();
                foreach (var token in all) { names.Append(names.Length == 0 ? "" : ", ").Append(TokenRecords.Describe(token)); }
                if (stopUpstream)
                {
                    WriteHostWarning(all.Length + " token(s) were created but not output because the pipeline stopped early (e.g. Select-Object -First): " + names
                        + ". They are kept in $" + RescueVariable + ". Store or revoke them now: GitLab shows each value only once.");
                }
                else
                {
                    WriteHostWarning(all.Length + " token(s) were created before the pipeline ended with an error (" + (LastError?.Exception.Message ?? reason.Message) + "): " + names
                        + ". PowerShell drops the output of a pipeline that ends this way, so they are kept: in the error's exception (catch { $_.Exception.Tokens }) and in $" + RescueVariable + ". Store them now: GitLab shows each value only once.");
                }
            }
        }

        /// <summary>The command that revokes a token this cmdlet created (after Ctrl+C).</summary>
        protected virtual string RevokeCommand => "revoke-personal-access-token";

        /// <summary>Whose token <paramref name="token"/> is, for <see cref="RevokeCommand"/> (a personal token: nothing to add).</summary>
        protected virtual ParamsWriter RevokeOwner(ParamsWriter writer, PSObject token) { return writer; }

        /// <summary>Revokes a token created after Ctrl+C, which nobody can see; true when revoked.</summary>
        private bool RevokeAbandoned(PSObject token)
        {
            string what = TokenRecords.Describe(token);
            long? id = token.Properties["Id"]?.Value as long?;
            string site = token.Properties["SiteUrl"]?.Value as string;
            if (id.HasValue && HasEngine && Engine.Failure == null)
            {
                string json = RevokeOwner(new ParamsWriter(), token).Text("token_id", id.Value.ToString(CultureInfo.InvariantCulture)).Text("site_url", string.IsNullOrEmpty(site) ? null : site).ToJson();
                string request = Engine.Send("run", RevokeCommand, json);
                if (request != null)
                {
                    try
                    {
                        var answer = ReceiveQuietly(request);
                        if (answer.Type == "result")
                        {
                            WriteHostWarning("The pipeline was stopped while token " + what + " was being created; nobody could see its value, so it was revoked at once.");
                            return true;
                        }
                        WriteHostWarning("The pipeline was stopped while token " + what + " was being created, and revoking it failed (" + answer.Error("result").Message + "); it was kept in $" + RescueVariable + ". Store or revoke it now.");
                        return false;
                    }
                    catch (EngineFailure) { }
                }
            }
            WriteHostWarning("The pipeline was stopped while token " + what + " was being created, and it could not be revoked; it was kept in $" + RescueVariable + ". Store or revoke it now.");
            return false;
        }

        /// <summary>An answer read after the pipeline's streams may have closed: stream messages are dropped.</summary>
        private EngineMessage ReceiveQuietly(string id)
        {
            while (true)
            {
                foreach (var message in Engine.Read(id, 250, false, false))
                {
                    if (message.IsTerminal) { return message; }
                }
                if (Engine.Failure != null) { throw new EngineFailure(Engine.Failure); }
            }
        }

        /// <summary>Adds tokens to $global:GitlabCliRescued (a list, newest last).</summary>
        private void Rescue(List<PSObject> tokens)
        {
            try
            {
                var existing = SessionState.PSVariable.GetValue("global:" + RescueVariable) as System.Collections.IList;
                var list = existing as List<PSObject> ?? new List<PSObject>();
                if (existing != null && !(existing is List<PSObject>)) { foreach (var item in existing) { if (item is PSObject o) { list.Add(o); } } }
                list.AddRange(tokens);
                SessionState.PSVariable.Set("global:" + RescueVariable, list);
            }
            catch (Exception e) when (e is SessionStateException || e is PSInvalidOperationException || e is InvalidOperationException)
            {
                foreach (var token in tokens) { WriteHostWarning("Could not keep token " + TokenRecords.Describe(token) + " in $" + RescueVariable + ": " + e.Message); }
            }
        }
    }
}
