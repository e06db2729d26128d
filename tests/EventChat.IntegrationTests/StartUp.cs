using EventChat.Api;
using Microsoft.Extensions.Configuration;

namespace EventChat.IntegrationTests;

public sealed class StartUp
{
    [Theory]
    [InlineData(null, "Jwt:SigningKey is not set")]
    [InlineData("too-short", "Jwt:SigningKey is too short")]
    public void Outside_development_a_missing_or_short_signing_key_stops_start_up_with_a_clear_message(string? key, string message)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => EventChatHost.Build(["--environment", "Production"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                ["Jwt:SigningKey"] = key,
            })));

        Assert.Contains(message, failure.Message);
    }

    [Fact]
    public void In_development_a_signing_key_is_generated_once_and_kept_in_the_data_folder()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("eventchat-data-").FullName;
        try
        {
            void Build() => EventChatHost.Build(["--environment", "Development"], builder =>
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                    ["EventChat:DataDirectory"] = dataDirectory,
                }));

            Build();
            var key = File.ReadAllText(Path.Combine(dataDirectory, "jwt-signing-key"));
            Build();

            Assert.True(key.Length >= 32);
            Assert.Equal(key, File.ReadAllText(Path.Combine(dataDirectory, "jwt-signing-key")));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
