using Microsoft.AspNetCore.Http;

namespace LocalEcr.Hosting;

/// <summary>The single request delegate: blob downloads, the admin endpoint, STS (form-encoded), or the ECR API.</summary>
internal static class RequestRouter
{
    public static Task RouteAsync(HttpContext context, ServerContext server)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(BlobEndpoint.Prefix, StringComparison.Ordinal))
        {
            return BlobEndpoint.HandleAsync(context, server);
        }

        if (path.StartsWith(AdminEndpoint.Prefix, StringComparison.Ordinal))
        {
            return AdminEndpoint.HandleAsync(context, server);
        }

        if (HttpMethods.IsPost(context.Request.Method) && path == "/" && StsEndpoint.Accepts(context.Request))
        {
            return StsEndpoint.HandleAsync(context, server);
        }

        if (HttpMethods.IsPost(context.Request.Method) && path == "/")
        {
            return EcrEndpoint.HandleAsync(context, server);
        }

        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }
}
