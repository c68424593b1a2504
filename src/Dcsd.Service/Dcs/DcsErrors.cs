namespace Dcsd.Service.Dcs;

/// <summary>The DCS error catalog dcsd answers with. Messages are DCS's own where DCS documents them.</summary>
internal static class DcsErrors
{
    public static readonly DcsError InvalidProjectId = new(400, "DCS.4002", "111400002", "Invalid project ID format.");
    public static readonly DcsError EmptyBody = new(400, "DCS.4004", "111400004", "Empty request body.");
    public static readonly DcsError MalformedJson = new(400, "DCS.4005", "111400005", "The message body contains invalid characters or is not in JSON format.");
    public static readonly DcsError InstanceTypeNotSupported = new(400, "DCS.4007", "111400007", "Instance type is not supported.");
    public static readonly DcsError EndBeforeBegin = new(400, "DCS.4025", "111400025", "The end time must be after the start time.");
    public static readonly DcsError InstanceNotRunning = new(400, "DCS.4049", "111400049", "The instance status is not running.");
    public static readonly DcsError InvalidInstanceId = new(400, "DCS.4061", "111400061", "Invalid instance ID format.");
    public static readonly DcsError BackupNotRestorable = new(400, "DCS.4087", "111400087", "the backup record status is err when restore this instance");

    /// <summary>DCS documents no code for "backup id not found"; dcsd answers DCS.4031 because the Terraform provider treats it as "already deleted".</summary>
    public static readonly DcsError BackupNotFound = new(400, "DCS.4031", "111400031", "The backup record does not exist.");
    public static readonly DcsError BackupRunning = new(400, "DCS.4096", "111400096", "the instance is backuping.");
    public static readonly DcsError RestoreRunning = new(400, "DCS.4097", "111400097", "the instance is restoring.");
    public static readonly DcsError RemarkTooLong = new(400, "DCS.4098", "111400098", "The value of the remark parameter must be 0 to 128 characters in length.");
    public static readonly DcsError InvalidToken = new(401, "DCS.1001", "111401001", "Invalid token.");
    public static readonly DcsError TokenExpired = new(401, "DCS.1002", "111401002", "Token expired.");
    public static readonly DcsError NoToken = new(401, "DCS.1003", "111401003", "No token in the request.");
    public static readonly DcsError ProjectMismatch = new(401, "DCS.1004", "111401004", "Project ID does not match the token.");
    public static readonly DcsError InstanceNotFound = new(404, "DCS.3022", "111404022", "This DCS instance does not exist.");
    public static readonly DcsError UrlNotFound = new(404, "DCS.4001", "111404001", "The requested URL does not exist.");
    public static readonly DcsError MethodNotAllowed = new(405, "DCS.5001", "111405001", "This request method is not allowed.");
    /// <summary>No DCS code is documented for an oversized body: 413 with the documented "Invalid {0} parameter" code.</summary>
    public static readonly DcsError BodyTooLarge = new(413, "DCS.4062", "111400062", "Invalid body parameter in the request.");
    public static readonly DcsError Internal = new(500, "DCS.5000", "111500000", "Internal service error.");

    /// <summary>Refuses an operation while a backup (DCS.4096) or restore (DCS.4097) of the instance is waiting or running.</summary>
    public static void ThrowIfBusy(ActiveJob activeJob)
    {
        switch (activeJob)
        {
            case ActiveJob.Backup:
                throw new DcsException(BackupRunning);
            case ActiveJob.Restore:
                throw new DcsException(RestoreRunning);
        }
    }

    /// <summary>"Invalid {0} parameter in the request." (DCS.4062), naming the offending field.</summary>
    public static DcsError InvalidParameter(string name) => new(400, "DCS.4062", "111400062", $"Invalid {name} parameter in the request.");

    /// <summary>Single-node instances cannot be backed up or restored (the seed's note). DCS documents no code; DCS.4086 says exactly this.</summary>
    public static readonly DcsError SingleNodeNotSupported = new(400, "DCS.4086", "111400086", "Only master/standby and cluster DCS instances can be backed up and restored, while single-node instances cannot.");

    /// <summary>A malformed migration task id (DCS's own message for a task id).</summary>
    public static readonly DcsError InvalidTaskId = new(400, "DCS.4070", "111400070", "Invalid task ID format.");

    /// <summary>The backup import's target_instance.password is not the target's password.</summary>
    public static readonly DcsError InstancePasswordMismatch = new(400, "DCS.4080", "111400080", "Instance password verify failed.");

    /// <summary>DCS documents no message; the Terraform provider reads DCS.4133 on a migration task as "deleted".</summary>
    public static readonly DcsError MigrationTaskNotFound = new(400, "DCS.4133", "111400133", "The migration task does not exist.");

    /// <summary>Deleting a migration task that is still running.</summary>
    public static readonly DcsError MigrationTaskRunning = new(400, "DCS.4957", "111400957", "This operation is not allowed when the task is in the current state.");
}
