using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>A REST body the framework cannot read names the field it could not read, as the hub does.</summary>
public sealed class BodyBinding
{
    [Theory]
    [InlineData("/api/chat/messages", """{ "receiverId": 123, "content": "hi" }""", "receiverId")]
    [InlineData("/api/chat/messages", """{ "receiverId": "01a2362a-33df-7e09-a003-aaee2abafc7b", "content": 5 }""", "content")]
    [InlineData("/api/chat/conversations", """{ "participantIds": { "id": 1 }, "title": "t" }""", "participantIds")]
    [InlineData("/api/posts", """{ "content": "a\udc00b" }""", "content")]
    public async Task A_body_field_of_the_wrong_type_is_a_validation_problem_naming_the_field(string path, string json, string field)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.PostAsync(path, new RawJson(json).Content());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Contains($"'{field}' has the wrong type or format.", problem.GetProperty("detail").GetString());
    }
}
