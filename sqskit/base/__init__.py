"""sqskit.base"""
