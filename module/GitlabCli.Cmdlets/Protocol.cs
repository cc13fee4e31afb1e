// Protocol v1 as typed messages (docs/ARCHITECTURE.md): what the module writes (ParamsWriter,
// RequestLine) and what it reads (EngineMessage and its parts: Hello, EngineError, Plan).
// Read by hand from JsonDocument and written with Utf8JsonWriter: no reflection serializer, so
// the first message costs no serializer start-up.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace GitlabCli
{
    /// <summary>The protocol version this module speaks.</summary>
    public static class ProtocolVersion
    {
        public const int Current = 1;
    }

    /// <summary>Numbers and strings read from engine JSON without overflow or type surprises.</summary>
    internal static class Json
    {
        public static string String(JsonElement parent, string name)
        {
            return parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString() : null;
        }

        public static bool Flag(JsonElement parent, string name)
        {
            return parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
        }

        /// <summary>A whole number that fits a long; larger ones are clamped, anything else is null.</summary>
        public static long? Whole(JsonElement parent, string name)
        {
            if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value)) { return null; }
            return Whole(value);
        }

        public static long? Whole(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Number) { return null; }
            if (value.TryGetInt64(out long whole)) { return whole; }
            if (value.TryGetUInt64(out _)) { return long.MaxValue; }
            if (value.TryGetDouble(out double d) && !double.IsNaN(d))
            {
                if (d >= long.MaxValue) { return long.MaxValue; }
                if (d <= long.MinValue) { return long.MinValue; }
                if (Math.Floor(d) == d) { return (long)d; }
            }
            return null;
        }

        public static string[] Strings(JsonElement parent, string name)
        {
            var list = new List<string>();
            if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String) { list.Add(item.GetString()); }
                }
            }
            return list.ToArray();
        }
    }

    /// <summary>The engine's hello: the facts it states once, on start.</summary>
    public sealed class Hello
    {
        public int ProtocolVersion { get; private set; }
        public string EngineVersion { get; private set; }
        public string[] Scopes { get; private set; }
        public string[] ErrorKinds { get; private set; }
        public int Concurrency { get; private set; }

        internal static Hello From(JsonElement hello)
        {
            long concurrency = Json.Whole(hello, "concurrency") ?? 1;
            long version = Json.Whole(hello, "protocol_version") ?? 0;
            return new Hello
            {
                ProtocolVersion = (int)Math.Max(0, Math.Min(int.MaxValue, version)),
                EngineVersion = Json.String(hello, "engine_version") ?? "unknown",
                Scopes = Json.Strings(hello, "scopes"),
                ErrorKinds = Json.Strings(hello, "error_kinds"),
                Concurrency = (int)Math.Max(1, Math.Min(64, concurrency)),
            };
        }
    }

    /// <summary>An `error` payload: the kind and the facts behind it.</summary>
    public sealed class EngineError
    {
        public string Kind { get; set; }
        public string Message { get; set; }
        public string GitlabMessage { get; set; }
        public int? Status { get; set; }
        public string Hint { get; set; }
        public string Parameter { get; set; }
        public long? RetryAfter { get; set; }
        public string[] CausedBy { get; set; } = new string[0];
        /// <summary>For the module's own refusals at binding: the parameter as the user typed it.</summary>
        internal string BoundParameter { get; set; }

        internal static EngineError From(JsonElement error)
        {
            long? status = Json.Whole(error, "status");
            return new EngineError
            {
                Kind = Json.String(error, "kind"),
                Message = Json.String(error, "message"),
                GitlabMessage = Json.String(error, "gitlab_message"),
                Status = status.HasValue && status.Value >= int.MinValue && status.Value <= int.MaxValue ? (int?)status.Value : null,
                Hint = Json.String(error, "hint"),
                Parameter = Json.String(error, "parameter"),
                RetryAfter = Json.Whole(error, "retry_after"),
                CausedBy = Json.Strings(error, "caused_by"),
            };
        }

        /// <summary>An error payload given as a dictionary (kind, message, hint, ...), for scripts and tests.</summary>
        public static EngineError FromDictionary(System.Collections.IDictionary values)
        {
            object Get(string key) { return values.Contains(key) ? values[key] : null; }
            string Text(string key) { var v = Get(key); return v == null ? null : Convert.ToString(v, CultureInfo.InvariantCulture); }
            var error = new EngineError { Kind = Text("kind"), Message = Text("message"), GitlabMessage = Text("gitlab_message"), Hint = Text("hint"), Parameter = Text("parameter") };
            if (Get("status") != null) { error.Status = Convert.ToInt32(Get("status"), CultureInfo.InvariantCulture); }
            if (Get("retry_after") != null) { error.RetryAfter = Convert.ToInt64(Get("retry_after"), CultureInfo.InvariantCulture); }
            if (Get("caused_by") is System.Collections.IEnumerable causes && !(causes is string))
            {
                var list = new List<string>();
                foreach (var cause in causes) { list.Add(Convert.ToString(cause, CultureInfo.InvariantCulture)); }
                error.CausedBy = list.ToArray();
            }
            return error;
        }

        /// <summary>An invalid-argument error raised by the module itself (nothing was sent).</summary>
        public static EngineError Refusal(string message, string parameter, string hint)
        {
            return new EngineError { Kind = "invalid-argument", Message = message, Parameter = parameter, Hint = hint };
        }
    }

    /// <summary>One line the engine wrote.</summary>
    public sealed class EngineMessage
    {
        public string Type { get; private set; }
        /// <summary>The request id as text, or null.</summary>
        public string Id { get; private set; }
        /// <summary>The `message` of verbose, debug and warning messages ('' otherwise).</summary>
        public string Text { get; private set; }
        /// <summary>The whole message.</summary>
        public JsonElement Root { get; private set; }

        public bool IsTerminal => Type == "plan" || Type == "result" || Type == "error";

        /// <summary>The `result` of a result message.</summary>
        public JsonElement Result => Root.TryGetProperty("result", out var r) ? r : default(JsonElement);

        /// <summary>The `plan` of a plan message.</summary>
        public JsonElement Plan => Root.TryGetProperty("plan", out var p) ? p : default(JsonElement);

        /// <summary>The error of an error message, or a protocol error when the answer is of another type.</summary>
        public EngineError Error(string expected)
        {
            if (Type == "error" && Root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                return EngineError.From(e);
            }
            return new EngineError
            {
                Kind = "protocol",
                Message = "The GitlabCli engine answered with a '" + Type + "' message where a '" + expected + "' was expected.",
            };
        }

        /// <summary>Parses a line; null for a blank one. FormatException says what is wrong with it.</summary>
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
            var message = new EngineMessage { Root = root, Type = Json.String(root, "type") ?? "", Text = Json.String(root, "message") ?? "" };
            if (root.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null)
            {
                message.Id = id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText();
            }
            return message;
        }
    }

    /// <summary>
    /// The one serializer of protocol params: an object of named values, written in the order
    /// given, absent values left out.
    /// </summary>
    public sealed class ParamsWriter
    {
        private readonly MemoryStream buffer = new MemoryStream(256);
        private readonly Utf8JsonWriter writer;

        public ParamsWriter()
        {
            writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            writer.WriteStartObject();
        }

        public ParamsWriter Text(string name, string value)
        {
            if (value != null) { CheckText(name, value); writer.WriteString(name, value); }
            return this;
        }

        /// <summary>
        /// Text that UTF-8 cannot carry (an unpaired UTF-16 surrogate, which the JSON writer would
        /// send as U+FFFD) is refused here, for every parameter, before anything is sent.
        /// </summary>
        private static void CheckText(string name, string value)
        {
            int position = 0;
            for (int i = 0; i < value.Length; i++)
            {
                position++;
                char c = value[i];
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                if (char.IsSurrogate(c)) { throw new UnsendableText(name, value, c, position); }
            }
        }

        public ParamsWriter Number(string name, long? value)
        {
            if (value.HasValue) { writer.WriteNumber(name, value.Value); }
            return this;
        }

        public ParamsWriter Flag(string name, bool value)
        {
            if (value) { writer.WriteBoolean(name, true); }
            return this;
        }

        public ParamsWriter FlagValue(string name, bool? value)
        {
            if (value.HasValue) { writer.WriteBoolean(name, value.Value); }
            return this;
        }

        public ParamsWriter Texts(string name, IEnumerable<string> values)
        {
            if (values == null) { return this; }
            writer.WriteStartArray(name);
            foreach (var value in values) { if (value == null) { writer.WriteNullValue(); } else { CheckText(name, value); writer.WriteStringValue(value); } }
            writer.WriteEndArray();
            return this;
        }

        /// <summary>Every property of <paramref name="values"/> (a plan's params), as it is.</summary>
        public ParamsWriter Copy(JsonElement values)
        {
            if (values.ValueKind != JsonValueKind.Object) { return this; }
            foreach (var property in values.EnumerateObject()) { property.WriteTo(writer); }
            return this;
        }

        /// <summary>The params as one compact JSON object.</summary>
        public string ToJson()
        {
            writer.WriteEndObject();
            writer.Flush();
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }

    /// <summary>A record refused by the module itself, before anything was sent for it.</summary>
    public class RecordRefused : Exception
    {
        public RecordRefused(EngineError error) : base(error.Message) { Error = error; }

        public EngineError Error { get; private set; }
    }

    /// <summary>
    /// A parameter's text holds an unpaired UTF-16 surrogate. The cmdlet names the parameter as the
    /// user typed it (<see cref="Describe"/>), from its own parameter metadata.
    /// </summary>
    public sealed class UnsendableText : RecordRefused
    {
        public UnsendableText(string parameter, string value, char surrogate, int position)
            : base(Describe(parameter, parameter, surrogate, position))
        {
            Parameter = parameter;
            Value = value;
            Surrogate = surrogate;
            Position = position;
        }

        /// <summary>The protocol name of the parameter.</summary>
        public string Parameter { get; private set; }
        /// <summary>The text refused (to find the cmdlet parameter that carries it).</summary>
        public string Value { get; private set; }
        public char Surrogate { get; private set; }
        /// <summary>In characters from 1, as the engine counts (a surrogate pair is one character).</summary>
        public int Position { get; private set; }

        /// <summary>The refusal, naming the parameter as <paramref name="shown"/> (e.g. -Name).</summary>
        public static EngineError Describe(string parameter, string shown, char surrogate, int position)
        {
            return EngineError.Refusal(
                shown + " contains U+" + ((int)surrogate).ToString("X4", CultureInfo.InvariantCulture) + " (a lone surrogate) at position " + position.ToString(CultureInfo.InvariantCulture)
                    + ": half of a UTF-16 character pair, which cannot be sent as text (it would reach GitLab as U+FFFD). Nothing was sent.",
                parameter,
                "Type the text again (it may have come from a string cut in the middle of a character, e.g. by Substring, or from copied text).");
        }
    }

    /// <summary>A request line: protocol version, id, mode, command and params (already JSON).</summary>
    internal static class RequestLine
    {
        public static string Build(string id, string mode, string command, string paramsJson)
        {
            // id is digits, mode and command fixed kebab-case words: nothing to escape.
            return "{\"v\":" + ProtocolVersion.Current.ToString(CultureInfo.InvariantCulture) + ",\"id\":\"" + id + "\",\"mode\":\"" + mode
                + "\",\"command\":\"" + command + "\",\"params\":" + paramsJson + "}";
        }
    }
}
