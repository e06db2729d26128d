using System.Text.Json;
using EventChat.Api.Errors;
using FluentValidation;
using FluentValidation.Results;

namespace EventChat.Api.Hubs;

/// <summary>
/// Hub methods take their payload as raw JSON and bind it here, so a payload of the wrong shape
/// (a number for an id, a missing object) becomes a <c>validation</c> error naming the field, through the
/// same error path as every other failure, instead of SignalR's generic binding failure.
/// </summary>
public static class HubPayload
{
    public static T Bind<T>(JsonElement? payload) where T : class
    {
        if (payload is not { ValueKind: JsonValueKind.Object } json)
            throw Invalid("payload", "Send the payload as a JSON object.");
        try
        {
            return json.Deserialize<T>(WireJson.Options)!;
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path[2..] : "payload";
            throw Invalid(field, ApiError.WrongTypeMessage(field));
        }
    }

    public static T BindOptional<T>(JsonElement? payload, T whenAbsent) where T : class =>
        payload is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? whenAbsent : Bind<T>(payload);

    public static Guid Required(Guid? id, string field) =>
        id is { } value && value != Guid.Empty ? value : throw Invalid(field, $"'{field}' is required.");

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}
