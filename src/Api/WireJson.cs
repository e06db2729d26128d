using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace EventChat.Api;

/// <summary>
/// The JSON of the wire, one definition for REST, the hub's payloads both ways and webhook bodies, so a field reads the
/// same wherever it arrives. On top of the web defaults (camelCase): enums travel as camelCase strings
/// (<c>"direct"</c>, never <c>0</c>), and a number is only ever a JSON number, which is also what lets the OpenAPI
/// and AsyncAPI documents type integers as <c>integer</c> instead of "number or numeric string".
/// </summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }
}
