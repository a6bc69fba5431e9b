/// Where the container ran. It decides how a memory size is rounded and which limit to advise.
public enum Platform: String, Sendable, Codable, CaseIterable {
    case ecsFargate = "ecs-fargate"
    case ecsEC2 = "ecs-ec2"
    case kubernetes
    case cloudFoundry = "cloud-foundry"
    case heroku
    case docker
    case generic
}

extension Platform {
    /// What CloudWatch-carried metadata says about where a container ran (log-formats.md §8.1, §8.2, §10.6), or nil
    /// when it says nothing. `fields` are a record's members; nested ones as `kubernetes.pod_name`.
    static func fromCloudWatchRecord(_ fields: [String: String]) -> (platform: Platform, reason: String)? {
        if fields["kubernetes.pod_name"] != nil {
            return (.kubernetes, "kubernetes metadata in the records, as EKS Container Insights writes them")
        }
        if fields["ec2_instance_id"] != nil { return (.ecsEC2, "FireLens records with ec2_instance_id") }
        return nil
    }

    /// An awslogs stream named by a bare 64-hex container id: ECS on EC2 without a stream prefix (Fargate requires
    /// the prefix).
    static func fromLogStream(_ name: String?) -> (platform: Platform, reason: String)? {
        guard let name, name.utf8.count == 64, name.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
        return (.ecsEC2, "a log stream named by a bare container id, as awslogs on EC2 names it without a prefix")
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
    }
}
