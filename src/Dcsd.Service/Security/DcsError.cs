namespace Dcsd.Service.Security;

/// <summary>
/// One DCS error with both of its codes: the v2 flat <c>DCS.xxxx</c> and its v1.0 twin <c>111xxxxxx</c> (dcs-api.md §5.4; messages verbatim).
/// </summary>
internal sealed record DcsError(int StatusCode, string V2Code, string V1Code, string Message)
{
    public static readonly DcsError InvalidToken = new(401, "DCS.1001", "111401001", "Invalid token.");
    public static readonly DcsError TokenExpired = new(401, "DCS.1002", "111401002", "Token expired.");
    public static readonly DcsError NoToken = new(401, "DCS.1003", "111401003", "No token in the request.");
    public static readonly DcsError ProjectMismatch = new(401, "DCS.1004", "111401004", "Project ID does not match the token.");
    public static readonly DcsError EmptyBody = new(400, "DCS.4004", "111400004", "Empty request body.");
    public static readonly DcsError InvalidJson = new(400, "DCS.4005", "111400005", "The message body contains invalid characters or is not in JSON format.");

    /// <summary>
    /// No DCS code is documented for an oversized body; this reuses the documented "Invalid {0} parameter" template (DCS.4062) with
    /// status 413 so that clients see both a precise status and a code they know.
    /// </summary>
    public static readonly DcsError BodyTooLarge = new(413, "DCS.4062", "111400062", "Invalid body parameter in the request.");
}
