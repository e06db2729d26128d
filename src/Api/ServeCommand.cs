namespace EventChat.Api;

/// <summary>
/// Serving, as a process: the host runs until it is stopped (SIGTERM, Ctrl-C), and what it says goes through the app's
/// loggers, so that with JSON logs (docs/deploy.md, "Logs") every line on stdout and stderr is JSON.
/// <para>
/// JasperFx's default <c>run</c> command does the same but first writes a banner to the console ("Searching '…' for
/// commands", and a note when it sees <c>--urls</c>), so serving does not go through it; its other commands still do
/// (Program.cs). A start-up that fails is logged and exits with 1, instead of an unhandled exception's stack trace.
/// </para>
/// </summary>
public static class ServeCommand
{
    public static async Task<int> Run(string[] args)
    {
        WebApplication app;
        try
        {
            app = EventChatHost.Build(args);
        }
        catch (Exception failure)
        {
            // A missing or bad setting, found before the app has loggers of its own.
            if (!LogFailure(args, failure))
                throw;
            return 1;
        }
        try
        {
            // Disposes the app once it has stopped.
            await app.RunAsync();
            return 0;
        }
        catch (Exception)
        {
            // The host has logged it already, with the exception ("Hosting failed to start"), through the app's loggers.
            return 1;
        }
    }

    // Through the loggers an app with the same configuration (appsettings.json, the environment, the command line) has,
    // so the line is JSON when the app's would be. False if even that cannot be built: the failure then stays unhandled.
    private static bool LogFailure(string[] args, Exception failure)
    {
        try
        {
            using var app = WebApplication.CreateBuilder(args).Build();
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServeCommand).FullName!)
                .LogCritical(failure, "EventChat could not start: {Reason}", failure.Message);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
