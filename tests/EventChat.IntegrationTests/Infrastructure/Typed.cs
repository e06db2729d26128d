using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// Reads JSON the SDK does not fetch itself (a hub answer or push from a <see cref="Tab"/>, the body of a raw
/// <see cref="HttpResponseMessage"/>) as one of the SDK's contract records (<c>EventChat.Client</c>), strictly: a field
/// the record needs that is missing, or a null where the record has none, fails the read instead of reading as 0 or null.
/// </summary>
public static class Typed
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public static T As<T>(this JsonElement json) => json.Deserialize<T>(Strict) ?? throw new JsonException($"null where a {typeof(T).Name} was expected");

    public static async Task<T> Read<T>(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(Strict) ?? throw new JsonException($"null where a {typeof(T).Name} was expected");
}
