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
