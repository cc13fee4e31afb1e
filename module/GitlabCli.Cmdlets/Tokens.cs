// The objects the cmdlets output, built from the engine's token results.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace GitlabCli
{
    /// <summary>
    /// A token's scopes: a read-only list of strings (ConvertTo-Json writes an array) whose text is
    /// the scopes joined by ", " (what Export-Csv writes, instead of System.String[]).
    /// </summary>
    public sealed class ScopeList : ReadOnlyCollection<string>
    {
        public ScopeList(IList<string> scopes) : base(scopes) { }

        public override string ToString()
        {
            return string.Join(", ", this);
        }
    }

    public static class TokenRecords
    {
        public const string NewTypeName = "Gitlab.NewPersonalAccessToken";
        public const string ListedTypeName = "Gitlab.PersonalAccessToken";

        /// <summary>A create or rotate result as a Gitlab.NewPersonalAccessToken. Throws FormatException for a field of the wrong type.</summary>
        public static PSObject New(JsonElement result) { return Token(result, NewTypeName, true); }

        /// <summary>A listed token as a Gitlab.PersonalAccessToken (never with a value).</summary>
        public static PSObject Listed(JsonElement result) { return Token(result, ListedTypeName, false); }

        /// <summary>
        /// What can be read of a new token whose result has a field of an unexpected type: the
        /// value, name, scopes, expiry and site, so the token is never lost.
        /// </summary>
        public static PSObject Fallback(JsonElement result)
        {
            var token = new PSObject();
            token.TypeNames.Insert(0, NewTypeName);
            token.Properties.Add(new PSNoteProperty("Id", Json.Whole(result, "id")));
            token.Properties.Add(new PSNoteProperty("Name", Json.String(result, "name")));
            token.Properties.Add(new PSNoteProperty("Scopes", new ScopeList(Json.Strings(result, "scopes"))));
            token.Properties.Add(new PSNoteProperty("ExpiresAt", Json.String(result, "expires_at")));
            token.Properties.Add(new PSNoteProperty("Token", Json.String(result, "token")));
            token.Properties.Add(new PSNoteProperty("SiteUrl", Json.String(result, "site_url")));
            return token;
        }

        private static PSObject Token(JsonElement result, string typeName, bool withValue)
        {
            var token = new PSObject();
            token.Properties.Add(new PSNoteProperty("Id", RequiredWhole(result, "id")));
            token.Properties.Add(new PSNoteProperty("Name", Text(result, "name") ?? ""));
            token.Properties.Add(new PSNoteProperty("Revoked", Json.Flag(result, "revoked")));
            token.Properties.Add(new PSNoteProperty("CreatedAt", Date(result, "created_at")));
            token.Properties.Add(new PSNoteProperty("Description", Text(result, "description")));
            token.Properties.Add(new PSNoteProperty("Scopes", new ScopeList(Json.Strings(result, "scopes"))));
            token.Properties.Add(new PSNoteProperty("UserId", OptionalWhole(result, "user_id")));
            token.Properties.Add(new PSNoteProperty("LastUsedAt", Date(result, "last_used_at")));
            token.Properties.Add(new PSNoteProperty("Active", Json.Flag(result, "active")));
            token.Properties.Add(new PSNoteProperty("ExpiresAt", Date(result, "expires_at")));
            if (withValue)
            {
                token.Properties.Add(new PSNoteProperty("Token", Text(result, "token")));
            }
            token.Properties.Add(new PSNoteProperty("SiteUrl", Text(result, "site_url") ?? ""));
            // The type name last: members added to an object with a type name of its own are
            // checked against that type's data one by one.
            token.TypeNames.Insert(0, typeName);
            return token;
        }

        private static bool Present(JsonElement parent, string name, out JsonElement value)
        {
            value = default(JsonElement);
            return parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
        }

        private static string Text(JsonElement parent, string name)
        {
            if (!Present(parent, name, out var value)) { return null; }
            if (value.ValueKind != JsonValueKind.String) { throw new FormatException(name + " is not text"); }
            return value.GetString();
        }

        private static long RequiredWhole(JsonElement parent, string name)
        {
            return OptionalWhole(parent, name) ?? 0L;
        }

        private static long? OptionalWhole(JsonElement parent, string name)
        {
            if (!Present(parent, name, out var value)) { return null; }
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long whole)) { return whole; }
            throw new FormatException(name + " is not a whole number of at most 19 digits");
        }

        private static DateTime? Date(JsonElement parent, string name)
        {
            string text = Text(parent, name);
            if (string.IsNullOrWhiteSpace(text)) { return null; }
            if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime parsed)) { return parsed; }
            throw new FormatException(name + " '" + text + "' is not a date");
        }

        /// <summary>"id 12 'CI Token'": how a token is named in warnings (never its value).</summary>
        public static string Describe(PSObject token)
        {
            object id = token.Properties["Id"]?.Value;
            object name = token.Properties["Name"]?.Value;
            return "id " + Convert.ToString(id, CultureInfo.InvariantCulture) + " '" + Convert.ToString(name, CultureInfo.InvariantCulture) + "'";
        }
    }
}
