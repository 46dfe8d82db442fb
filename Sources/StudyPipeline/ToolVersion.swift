/// The tool's version, written into results.json, study.yaml's runs and performance.json.
public let toolVersion = "0.3.0"
