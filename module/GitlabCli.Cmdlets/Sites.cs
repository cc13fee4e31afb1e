// The objects the site cmdlets output, built from the engine's SiteInfo and SiteAdded results
// (docs/ARCHITECTURE.md, the protocol table). A site is never output with its token: only the
// engine's masked prefix.
using System;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace GitlabCli
{
    public static class SiteRecords
    {
        public const string SiteTypeName = "Gitlab.Site";
        public const string AddedTypeName = "Gitlab.AddedSite";

        /// <summary>A SiteInfo as a Gitlab.Site.</summary>
        public static PSObject Site(JsonElement site, string configPath)
        {
            var record = new PSObject();
            AddSite(record, site, configPath);
            record.TypeNames.Insert(0, SiteTypeName);
            return record;
        }

        /// <summary>add-site's result as a Gitlab.AddedSite (also a Gitlab.Site): the site, whose token it is, its scopes and expiry.</summary>
        public static PSObject Added(JsonElement result)
        {
            var record = new PSObject();
            JsonElement site = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("site", out var s) ? s : default(JsonElement);
            AddSite(record, site, Json.String(result, "config_path"));
            JsonElement user = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("user", out var u) ? u : default(JsonElement);
            record.Properties.Add(new PSNoteProperty("Validated", Json.Flag(result, "validated")));
            record.Properties.Add(new PSNoteProperty("Replaced", Json.Flag(result, "replaced")));
            record.Properties.Add(new PSNoteProperty("UserId", Json.Whole(user, "id")));
            record.Properties.Add(new PSNoteProperty("Username", Json.String(user, "username")));
            record.Properties.Add(new PSNoteProperty("TokenName", Json.String(result, "token_name")));
            record.Properties.Add(new PSNoteProperty("Scopes", new ScopeList(Json.Strings(result, "scopes"))));
            record.Properties.Add(new PSNoteProperty("ExpiresAt", Date(Json.String(result, "expires_at"))));
            record.TypeNames.Insert(0, SiteTypeName);
            record.TypeNames.Insert(0, AddedTypeName);
            return record;
        }

        private static void AddSite(PSObject record, JsonElement site, string configPath)
        {
            string source = Json.String(site, "source");
            record.Properties.Add(new PSNoteProperty("Url", Json.String(site, "url") ?? ""));
            record.Properties.Add(new PSNoteProperty("IsDefault", Json.Flag(site, "is_default")));
            record.Properties.Add(new PSNoteProperty("Source", source == "environment" ? "Environment" : source == "config-file" ? "ConfigFile" : source));
            record.Properties.Add(new PSNoteProperty("HasToken", Json.Flag(site, "has_token")));
            record.Properties.Add(new PSNoteProperty("TokenPrefix", Json.String(site, "token_prefix")));
            record.Properties.Add(new PSNoteProperty("ProxyUrl", Json.String(site, "proxy_url")));
            // Where an entry of the file lives; the environment's site has none.
            record.Properties.Add(new PSNoteProperty("ConfigPath", source == "config-file" ? configPath : null));
        }

        private static DateTime? Date(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) { return null; }
            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime parsed) ? (DateTime?)parsed : null;
        }
    }
}
