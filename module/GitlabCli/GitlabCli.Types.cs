// Types the GitlabCli module needs from .NET rather than from PowerShell classes: a PowerShell
// class method runs in the runspace that defined it, so a module imported into a second runspace
// (ForEach-Object -Parallel, a custom host, an editor) would call into the first one. These have
// no such affinity. The module compiles this file once per process when it is imported.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Text.Json;

namespace GitlabCli
{
    /// <summary>
    /// The valid values of -Scope: the scopes the engine accepts, read on first use from the
    /// committed protocol schema (its "scope" enum), so the engine stays their single source.
    /// </summary>
    public sealed class GitlabScopes : IValidateSetValuesGenerator
    {
        private static readonly object gate = new object();
        private static string[] values;
        private static string schemaPath;

        /// <summary>
        /// The committed protocol schema. Set at import; the scopes are read from it the first
        /// time they are needed (binding or completing -Scope), which keeps the JSON reader out of
        /// Import-Module's time.
        /// </summary>
        public static string SchemaPath
        {
            get { return schemaPath; }
            set { lock (gate) { schemaPath = value; values = null; } }
        }

        public static string[] Values
        {
            get
            {
                lock (gate)
                {
                    if (values == null) { values = schemaPath == null ? new string[0] : Read(schemaPath); }
                    return (string[])values.Clone();
                }
            }
            set { lock (gate) { values = value == null ? new string[0] : (string[])value.Clone(); } }
        }

        /// <summary>`scope.enum` of the schema at <paramref name="path"/>.</summary>
        public static string[] Read(string path)
        {
            try
            {
                using (var document = JsonDocument.Parse(System.IO.File.ReadAllText(path)))
                {
                    var scopes = new List<string>();
                    foreach (var item in document.RootElement.GetProperty("scope").GetProperty("enum").EnumerateArray())
                    {
                        scopes.Add(item.GetString());
                    }
                    return scopes.ToArray();
                }
            }
            catch (Exception e)
            {
                throw new System.IO.InvalidDataException("GitlabCli cannot read the scopes from its protocol schema '" + path + "': " + e.Message, e);
            }
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

    /// <summary>
    /// One line the engine wrote, read once: its type, request id and, for stream messages, the
    /// message text. Reading these fields in script took several function calls per line.
    /// </summary>
    public sealed class EngineMessage
    {
        public string Type { get; private set; }
        /// <summary>The request id as text (a number's digits), or null when the id is null.</summary>
        public string Id { get; private set; }
        /// <summary>The `message` field of verbose, debug and warning messages ('' otherwise).</summary>
        public string Text { get; private set; }
        public JsonElement Root { get; private set; }

        public bool IsTerminal
        {
            get { return Type == "plan" || Type == "result" || Type == "error"; }
        }

        /// <summary>
        /// A terminal message as the module's answer: @{ Type; Body; Root }, Body the message as
        /// PowerShell values and Root the raw JsonElement (a case-insensitive hashtable, as @{}).
        /// </summary>
        public Hashtable ToAnswer()
        {
            var answer = new Hashtable(StringComparer.OrdinalIgnoreCase);
            answer["Type"] = Type;
            answer["Body"] = JsonValues.ToPowerShell(Root);
            answer["Root"] = Root;
            return answer;
        }

        /// <summary>
        /// Parses a line; null for a blank one. Throws FormatException saying what is wrong with a
        /// line that is not a JSON object.
        /// </summary>
        public static EngineMessage Parse(string line)
        {
            if (line == null || line.Trim().Length == 0) { return null; }
            JsonElement root;
            try
            {
                using (var document = JsonDocument.Parse(line))
                {
                    root = document.RootElement.Clone();
                }
            }
            catch (JsonException e)
            {
                throw new FormatException("wrote a line that is not JSON.", e);
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("wrote a line that is not a JSON object.");
            }
            var message = new EngineMessage { Root = root, Type = "", Text = "" };
            JsonElement value;
            if (root.TryGetProperty("type", out value) && value.ValueKind == JsonValueKind.String)
            {
                message.Type = value.GetString();
            }
            if (root.TryGetProperty("id", out value) && value.ValueKind != JsonValueKind.Null)
            {
                message.Id = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            }
            if (root.TryGetProperty("message", out value) && value.ValueKind == JsonValueKind.String)
            {
                message.Text = value.GetString();
            }
            return message;
        }
    }

    /// <summary>Building what the cmdlets send and output, without per-field script calls.</summary>
    public static class Records
    {
        /// <summary>An ordered dictionary of protocol params as one compact JSON object.</summary>
        public static string ToJson(IDictionary values)
        {
            return JsonSerializer.Serialize(values, typeof(IDictionary));
        }

        private static DateTime? Date(object value)
        {
            if (value == null) { return null; }
            if (value is DateTime) { return (DateTime)value; }
            if (value is DateTimeOffset) { return ((DateTimeOffset)value).LocalDateTime; }
            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(text)) { return null; }
            DateTime parsed;
            if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out parsed))
            {
                return parsed;
            }
            return null;
        }

        private static long Whole(object value)
        {
            return value == null ? 0L : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }

        private static bool Flag(object value)
        {
            return value != null && LanguagePrimitives.IsTrue(value);
        }

        /// <summary>A create- or rotate-personal-access-token result as a Gitlab.NewPersonalAccessToken.</summary>
        public static PSObject NewPersonalAccessToken(IDictionary result)
        {
            return Token(result, "Gitlab.NewPersonalAccessToken", true);
        }

        /// <summary>A token entry of list- or get-personal-access-token(s) as a Gitlab.PersonalAccessToken (no value).</summary>
        public static PSObject PersonalAccessToken(IDictionary result)
        {
            return Token(result, "Gitlab.PersonalAccessToken", false);
        }

        private static PSObject Token(IDictionary result, string typeName, bool withValue)
        {
            var token = new PSObject();
            token.TypeNames.Insert(0, typeName);
            var scopes = new List<string>();
            var scopeValues = result["scopes"] as IEnumerable;
            if (scopeValues != null && !(scopeValues is string))
            {
                foreach (var scope in scopeValues)
                {
                    if (scope != null) { scopes.Add(Convert.ToString(scope, CultureInfo.InvariantCulture)); }
                }
            }
            var userId = result["user_id"];
            token.Properties.Add(new PSNoteProperty("Id", Whole(result["id"])));
            token.Properties.Add(new PSNoteProperty("Name", Convert.ToString(result["name"], CultureInfo.InvariantCulture) ?? ""));
            token.Properties.Add(new PSNoteProperty("Revoked", Flag(result["revoked"])));
            token.Properties.Add(new PSNoteProperty("CreatedAt", Date(result["created_at"])));
            token.Properties.Add(new PSNoteProperty("Description", result["description"]));
            token.Properties.Add(new PSNoteProperty("Scopes", scopes.ToArray()));
            token.Properties.Add(new PSNoteProperty("UserId", userId == null ? (long?)null : Whole(userId)));
            token.Properties.Add(new PSNoteProperty("LastUsedAt", Date(result["last_used_at"])));
            token.Properties.Add(new PSNoteProperty("Active", Flag(result["active"])));
            token.Properties.Add(new PSNoteProperty("ExpiresAt", Date(result["expires_at"])));
            if (withValue)
            {
                token.Properties.Add(new PSNoteProperty("Token", result["token"]));
            }
            token.Properties.Add(new PSNoteProperty("SiteUrl", Convert.ToString(result["site_url"], CultureInfo.InvariantCulture) ?? ""));
            return token;
        }
    }

    /// <summary>
    /// The module's end of the engine's pipes: writes request lines and reads messages. Reading
    /// waits at most a given time per call, so the script calling it can loop and stay
    /// stoppable with Ctrl+C while the engine works.
    /// </summary>
    public sealed class EngineChannel
    {
        private readonly System.IO.TextWriter input;
        private readonly System.IO.TextReader output;
        private System.Threading.Tasks.Task<string> pending;
        private long lastId;

        /// <summary>
        /// Why the channel stopped working (the engine exited, stopped reading, or wrote something
        /// unreadable), or null. Set instead of throwing: a script that catches a .NET exception
        /// still finds it in its cmdlet's -ErrorVariable, and an engine failure must reach the
        /// user only as the errors the module writes for it.
        /// </summary>
        public string Failure { get; private set; }

        public EngineChannel(System.IO.TextWriter input, System.IO.TextReader output)
        {
            this.input = input;
            this.output = output;
        }

        /// <summary>
        /// Writes a protocol v1 request with the next id (1, 2, ...) and returns that id.
        /// <paramref name="mode"/> and <paramref name="command"/> are fixed kebab-case words and
        /// <paramref name="paramsJson"/> a JSON object, so the line needs no escaping here.
        /// </summary>
        /// Returns null, with <see cref="Failure"/> set, when the engine no longer reads requests.
        public string SendRequest(string mode, string command, string paramsJson)
        {
            if (Failure != null) { return null; }
            lastId++;
            string id = lastId.ToString(CultureInfo.InvariantCulture);
            try
            {
                Send("{\"v\":1,\"id\":\"" + id + "\",\"mode\":\"" + mode + "\",\"command\":\"" + command + "\",\"params\":" + paramsJson + "}");
            }
            catch (Exception e) when (e is System.IO.IOException || e is ObjectDisposedException)
            {
                Failure = "stopped reading requests (" + e.Message + ").";
                return null;
            }
            return id;
        }

        /// <summary>
        /// Closes the engine's stdin, which tells it to finish and exit. A dead engine's pipe
        /// cannot take what is still buffered; that is ignored here (not thrown to the script,
        /// where even a caught exception would land in the cmdlet's -ErrorVariable).
        /// </summary>
        public void CloseInput()
        {
            try
            {
                input.Dispose();
            }
            catch (Exception e) when (e is System.IO.IOException || e is ObjectDisposedException)
            {
                Failure = Failure ?? "stopped reading requests (" + e.Message + ").";
            }
        }

        /// <summary>Writes one request line and flushes it.</summary>
        public void Send(string line)
        {
            input.Write(line);
            input.Write('\n');
            input.Flush();
        }

        /// <summary>
        /// Messages of request <paramref name="id"/>: those already written, up to and including
        /// its terminal message, or whatever arrived within <paramref name="waitMilliseconds"/>
        /// (possibly none). Verbose and debug messages are dropped here unless
        /// <paramref name="verbose"/> or <paramref name="debug"/> asks for them: the engine
        /// sends them for every HTTP request, and passing them through script costs time even
        /// when nothing shows them. When the engine closed its output, wrote a line that is not a
        /// JSON object or a message of another request, the messages before it are returned and
        /// <see cref="Failure"/> says what happened.
        /// </summary>
        public List<EngineMessage> Read(string id, int waitMilliseconds, bool verbose, bool debug)
        {
            var messages = new List<EngineMessage>();
            while (true)
            {
                if (pending == null) { pending = output.ReadLineAsync(); }
                // Wait only while nothing has been read yet; otherwise hand over what there is.
                if (!pending.Wait(messages.Count == 0 ? waitMilliseconds : 0)) { return messages; }
                string line = pending.Result;
                pending = null;
                if (line == null)
                {
                    Failure = "exited before answering request " + id + ".";
                    return messages;
                }
                EngineMessage message;
                try
                {
                    message = EngineMessage.Parse(line);
                }
                catch (FormatException e)
                {
                    Failure = e.Message;
                    return messages;
                }
                if (message == null) { continue; }
                if (message.Id != null && message.Id != id)
                {
                    Failure = "answered request '" + message.Id + "' while request " + id + " was waiting.";
                    return messages;
                }
                if ((message.Type == "verbose" && !verbose) || (message.Type == "debug" && !debug)) { continue; }
                messages.Add(message);
                if (message.IsTerminal) { return messages; }
            }
        }
    }
}
