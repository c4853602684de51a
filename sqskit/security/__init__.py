"""sqskit.security"""
