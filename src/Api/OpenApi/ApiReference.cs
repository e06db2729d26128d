using EventChat.Api.Auth;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace EventChat.Api.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> and the interactive reference (Scalar) at <c>/docs</c>, both
/// anonymous. Success schemas come from the endpoints' TypedResults and problem responses from their
/// <c>Produces*</c> annotations; this adds the bearer scheme, the contract's <c>code</c> on problems, and the hub's
/// methods and events (<see cref="HubReference"/>) as the document's description.
/// </summary>
public static class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/docs";
    public const string BearerScheme = "Bearer";
    public const string ServerSecretScheme = "ApiSecret";

    private static readonly string[] ProblemCodes = ["validation", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "internal"];

    public static IServiceCollection AddApiReference(this IServiceCollection services) =>
        services.AddSingleton<IApiDescriptionProvider, HubTypeDescriptions>().AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "EventChat API";
                document.Info.Version = "v1";
                document.Info.Description = HubReference.Markdown;
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "The token from POST /api/auth/register or /api/auth/login, the server API, or a trusted issuer. The hub also takes it as ?access_token=.",
                };
                document.Components.SecuritySchemes[ServerSecretScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ServerApiSecret.Header,
                    Description = "The server API's secret (ServerApi:Secret), for the app's backend only.",
                };
                return Task.CompletedTask;
            });
            // Only endpoints behind a token name the scheme, so register and login show as open in the page.
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var scheme = context.Description.RelativePath?.StartsWith("api/server/", StringComparison.Ordinal) == true ? ServerSecretScheme
                    : metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() ? BearerScheme
                    : null;
                if (scheme is not null)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
                }
                return Task.CompletedTask;
            });
            // Every problem EventChat writes carries the contract's code (ApiError); the framework's types do not know it.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                var type = context.JsonTypeInfo.Type;
                if (type == typeof(ProblemDetails) || type == typeof(HttpValidationProblemDetails))
                {
                    schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                    schema.Properties["code"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "The contract's error code; see docs/api.md#errors-on-rest.",
                        Enum = [.. (type == typeof(HttpValidationProblemDetails) ? ["validation"] : ProblemCodes).Select(code => (JsonNode)code)],
                    };
                }
                return Task.CompletedTask;
            });
            options.AddContractSchemas();
        });

    public static void MapApiReference(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapAsyncApi();
        // Served from the package itself, with nothing fetched from elsewhere: no CDN fonts, telemetry, agent or MCP.
        app.MapScalarApiReference(PagePath, options => options
                .WithTitle("EventChat API reference")
                .WithOpenApiRoutePattern(DocumentPath)
                .AddPreferredSecuritySchemes(BearerScheme)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                // Its toolbar offers to generate an SDK and deploy through Scalar's own services; EventChat has its own.
                .HideDeveloperTools())
            .AllowAnonymous();
    }
}
