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
        var (first, second) = DevelopmentFileAfterTwoStarts("jwt-signing-key");

        Assert.True(first.Length >= 32);
        Assert.Equal(first, second);
    }

    /// <summary>
    /// Builds the host twice in Development on one fresh data folder and reads <paramref name="fileName"/> from it
    /// after each build: what a key generated on first start looks like, and whether the second start kept it.
    /// </summary>
    internal static (string First, string Second) DevelopmentFileAfterTwoStarts(string fileName)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("eventchat-data-").FullName;
        try
        {
            string StartAndRead()
            {
                EventChatHost.Build(["--environment", "Development"], builder =>
                    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                    {
                        ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                        ["EventChat:DataDirectory"] = dataDirectory,
                    }));
                return File.ReadAllText(Path.Combine(dataDirectory, fileName));
            }

            return (StartAndRead(), StartAndRead());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
