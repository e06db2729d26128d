using EventChat.Application.Admin;
using EventChat.Application.Conversations;
using EventChat.Application.Pipeline;
using FluentValidation;

namespace EventChat.Api.Hosting;

/// <summary>
/// The use cases of src/Application: every command and query, found by the Mediator source generator, behind one pipeline
/// of behaviors, with their validators (docs/architecture.md, "The flow of one message").
/// </summary>
public static class UseCaseSetup
{
    public static IServiceCollection AddUseCases(this IServiceCollection services)
    {
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(SendMessage)];
            // Outermost first: TracingBehavior's span holds the others', MetricsBehavior times everything inside it, validation included.
            options.PipelineBehaviors = [typeof(TracingBehavior<,>), typeof(MetricsBehavior<,>), typeof(ValidationBehavior<,>), typeof(RateLimitBehavior<,>), typeof(RetryOnConflictBehavior<,>)];
        });
        services.AddValidatorsFromAssemblyContaining<SendMessage>(ServiceLifetime.Singleton);
        // A rebuild in flight, for the admin console's progress and the refusal of a second one (docs/api.md).
        services.AddSingleton<RunningRebuilds>();
        return services;
    }
}
