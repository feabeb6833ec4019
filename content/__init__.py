"""What is taught: the course model, the course format, grading and the bundled library."""
