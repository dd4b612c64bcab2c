"""The Teams app package: manifest from its template, icons, build and validation."""
