using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// Reads JSON the SDK does not fetch itself (a hub answer or push from a <see cref="Tab"/>, the body of a raw
/// <see cref="HttpResponseMessage"/>) as one of the SDK's contract records (<c>EventChat.Client</c>), strictly: a field
/// the record needs that is missing, a null where the record has none, or an enum value not spelled exactly as the
/// contract spells it (<c>sent</c>, not <c>Sent</c>) fails the read instead of reading as 0, null or a near match.
/// </summary>
public static class Typed
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new ExactEnums() },
    };

    public static T As<T>(this JsonElement json) => json.Deserialize<T>(Strict) ?? throw new JsonException($"null where a {typeof(T).Name} was expected");

    public static async Task<T> Read<T>(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(Strict) ?? throw new JsonException($"null where a {typeof(T).Name} was expected");

    /// <summary>Enums as the contract's camelCase strings, case-sensitively (System.Text.Json's own converter ignores case).</summary>
    private sealed class ExactEnums : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(Exact<>).MakeGenericType(typeToConvert))!;

        private sealed class Exact<T> : JsonConverter<T>
            where T : struct, Enum
        {
            public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            {
                var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                foreach (var value in Enum.GetValues<T>())
                    if (JsonNamingPolicy.CamelCase.ConvertName(value.ToString()) == text)
                        return value;
                throw new JsonException($"{reader.TokenType} {text} is not a {typeof(T).Name}.");
            }

            public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
                writer.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(value.ToString()));
        }
    }
}
