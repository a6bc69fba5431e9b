/// Where the container ran. It decides how a memory size is rounded and which limit to advise.
public enum Platform: String, Sendable, Codable, CaseIterable {
    case ecsFargate = "ecs-fargate"
    case ecsEC2 = "ecs-ec2"
    case kubernetes
    case cloudFoundry = "cloud-foundry"
    case heroku
    case docker
    case generic

    /// What the user sets to give the container a hard memory limit the calculator can see.
    var hardLimitSetting: String {
        switch self {
        case .ecsFargate, .ecsEC2: return "the container-level `memory` in the ECS task definition"
        case .kubernetes: return "`resources.limits.memory` on the container"
        case .docker: return "`docker run -m` (compose: `mem_limit` or `deploy.resources.limits.memory`)"
        case .cloudFoundry: return "the app's memory quota (`cf push -m` or `memory:` in the manifest)"
        case .heroku: return "the dyno size"
        case .generic: return "a hard memory limit on the container"
        }
    }
}
