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
        // A group's or project's token: its result has an `owner` (personal results never do).
        public const string NewResourceTypeName = "Gitlab.NewAccessToken";
        public const string ListedResourceTypeName = "Gitlab.AccessToken";

        /// <summary>A create or rotate result as a Gitlab.NewPersonalAccessToken (Gitlab.NewAccessToken for a group's or project's). Throws FormatException for a field of the wrong type.</summary>
        public static PSObject New(JsonElement result) { return Token(result, IsResource(result) ? NewResourceTypeName : NewTypeName, true); }

        /// <summary>A listed token as a Gitlab.PersonalAccessToken (Gitlab.AccessToken for a group's or project's; never with a value).</summary>
        public static PSObject Listed(JsonElement result) { return Token(result, IsResource(result) ? ListedResourceTypeName : ListedTypeName, false); }

        private static bool IsResource(JsonElement result)
        {
            return Present(result, "owner", out var owner) && owner.ValueKind == JsonValueKind.Object;
        }

        /// <summary>
        /// What can be read of a new token whose result has a field of an unexpected type: the
        /// value, name, scopes, expiry and site, so the token is never lost.
        /// </summary>
        public static PSObject Fallback(JsonElement result)
        {
            var token = new PSObject();
            token.TypeNames.Insert(0, IsResource(result) ? NewResourceTypeName : NewTypeName);
            token.Properties.Add(new PSNoteProperty("Id", Json.Whole(result, "id")));
            token.Properties.Add(new PSNoteProperty("Name", Json.String(result, "name")));
            token.Properties.Add(new PSNoteProperty("Scopes", new ScopeList(Json.Strings(result, "scopes"))));
            token.Properties.Add(new PSNoteProperty("ExpiresAt", Json.String(result, "expires_at")));
            token.Properties.Add(new PSNoteProperty("Token", Json.String(result, "token")));
            token.Properties.Add(new PSNoteProperty("SiteUrl", Json.String(result, "site_url")));
            if (IsResource(result))
            {
                var owner = result.GetProperty("owner");
                string kind = Json.String(owner, "kind");
                long? id = Json.Whole(owner, "id");
                string path = Json.String(owner, "path");
                token.Properties.Add(new PSNoteProperty(OwnerProperty(kind), path ?? (id.HasValue ? id.Value.ToString(CultureInfo.InvariantCulture) : null)));
            }
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
            if (IsResource(result)) { AddOwner(token, result); }
            // The type name last: members added to an object with a type name of its own are
            // checked against that type's data one by one.
            token.TypeNames.Insert(0, typeName);
            return token;
        }

        /// <summary>
        /// A group's or project's token: its level (by name, and as GitLab's number), what owns it,
        /// and GroupId or ProjectId (the path given, or the id), so a piped token binds to the
        /// owner parameter of Invoke-…Rotation and Remove-….
        /// </summary>
        private static void AddOwner(PSObject token, JsonElement result)
        {
            var owner = result.GetProperty("owner");
            string kind = Text(owner, "kind") ?? "";
            long? id = OptionalWhole(owner, "id");
            string path = Text(owner, "path");
            long? level = OptionalWhole(result, "access_level");
            token.Properties.Add(new PSNoteProperty("AccessLevel", Text(result, "access_level_name") ?? (level.HasValue ? level.Value.ToString(CultureInfo.InvariantCulture) : null)));
            token.Properties.Add(new PSNoteProperty("AccessLevelValue", level));
            token.Properties.Add(new PSNoteProperty("ResourceType", kind));
            token.Properties.Add(new PSNoteProperty("ResourceId", id));
            token.Properties.Add(new PSNoteProperty("ResourcePath", path));
            token.Properties.Add(new PSNoteProperty(OwnerProperty(kind), path ?? (id.HasValue ? id.Value.ToString(CultureInfo.InvariantCulture) : null)));
        }

        /// <summary>GroupId or ProjectId: the owner parameter of the cmdlets of that kind.</summary>
        private static string OwnerProperty(string kind)
        {
            return kind == "group" ? "GroupId" : kind == "project" ? "ProjectId" : "OwnerId";
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
