using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventChat.Client;

/// <summary>
/// The server's JSON, for REST and the hub alike: camelCase, enums as camelCase strings (never numbers), numbers only
/// as JSON numbers. Null fields are left out of requests: the server reads a missing optional field as "none".
/// </summary>
internal static class Wire
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>An enum value as the wire spells it (<c>live</c>), for a query parameter.</summary>
    public static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }
}
